/// Finds abrupt rises in a zone's net balance — a burst — also while a leak alarm is
/// already raised there, which the balance detector's day-window fit cannot tell apart
/// from the leak it is alarmed about (on L-Town, three bursts started while a leak in area
/// A was open, and were absorbed by it).
///
/// It reads each judged step's inflow and the demand shape's value there, and compares the
/// mean leakage (inflow − level × shape) over the last `recentMs` with its mean over the
/// `baselineMs` before them, all at the one demand level the balance detector uses now (so
/// that its refits, which trade level against leakage while a burst enters its day window,
/// do not move the comparison). A leak that grows over days moves both windows alike; a
/// burst lifts the recent one by its flow within the hour. The difference's normal spread
/// is learnt from the steps themselves (a robust running scale, taught only by steps that
/// look normal), and a rise counts when it passes `raiseSigmas` spreads and `minimumShare`
/// of the expected inflow for `confirmSteps` steps running. After a rise, the windows are
/// let pass over it before the next one can be found.
public struct BalanceStepDetector: Sendable, Codable, Equatable {
    public struct Config: Sendable, Codable, Equatable {
        public var stepMs: Int64
        public var recentMs: Int64 = 3_600_000
        public var baselineMs: Int64 = 6 * 3_600_000
        public var raiseSigmas = 6.0
        /// A rise must also be at least this share of the expected inflow.
        public var minimumShare = 0.1
        public var confirmSteps = 3
        /// Data time of differences seen before their spread is trusted.
        public var calibrationMs: Int64 = 86_400_000

        public init(stepMs: Int64) {
            precondition(stepMs > 0, "a step is a duration")
            self.stepMs = stepMs
        }

        var recentSteps: Int { max(1, Int(recentMs / stepMs)) }
        var baselineSteps: Int { max(2, Int(baselineMs / stepMs)) }
        var calibrationSteps: Int { max(24, Int(calibrationMs / stepMs)) }
    }

    public let config: Config
    /// The windows' steps: inflow and the demand shape's value.
    private var inflows: [Double] = []
    private var shapes: [Double] = []
    /// Mean absolute difference while normal: the spread, as a robust running scale.
    private var meanAbsoluteDifference = 0.0
    private var calibrated = 0
    private var above = 0
    private var firstAboveMs: Int64 = 0
    /// Steps still to pass before a new rise may be found.
    private var refractory = 0

    public init(config: Config) {
        self.config = config
    }

    /// A rise found: when it began (the first step of the recent window at its first
    /// crossing) and its size (the recent mean over the baseline's), in the inflow's unit.
    public struct Rise: Sendable, Codable, Equatable {
        public var sinceMs: Int64
        public var size: Double
    }

    /// Feeds one judged step: its inflow, the shape's value at its slot and the demand level
    /// now used (`InflowLeakDetector.Verdict`); returns the rise it confirms, if any.
    public mutating func observe(tsMs: Int64, inflow: Double, shape: Double, level: Double) -> Rise? {
        let (recent, baseline) = (config.recentSteps, config.baselineSteps)
        inflows.append(inflow)
        shapes.append(shape)
        if inflows.count > recent + baseline {
            inflows.removeFirst(inflows.count - recent - baseline)
            shapes.removeFirst(shapes.count - recent - baseline)
        }
        guard inflows.count == recent + baseline else { return nil }
        let difference = (mean(inflows[baseline...]) - mean(inflows[..<baseline]))
            - level * (mean(shapes[baseline...]) - mean(shapes[..<baseline]))
        let sigma = Self.sigmaPerMeanAbsoluteDeviation * meanAbsoluteDifference
        if refractory > 0 {
            refractory -= 1
            return nil
        }
        if calibrated < config.calibrationSteps {
            calibrated += 1
            meanAbsoluteDifference += (abs(difference) - meanAbsoluteDifference) / Double(calibrated)
            return nil
        }
        let floor = config.minimumShare * level * mean(shapes[..<baseline])
        guard difference > config.raiseSigmas * sigma && difference > floor else {
            above = 0
            // Only normal-looking steps teach the spread, over about a week of steps.
            if abs(difference) <= 3 * sigma {
                let alpha = 1 / Double(7 * config.calibrationSteps)
                meanAbsoluteDifference += alpha * (abs(difference) - meanAbsoluteDifference)
            }
            return nil
        }
        if above == 0 { firstAboveMs = tsMs - Int64(recent - 1) * config.stepMs }
        above += 1
        guard above >= config.confirmSteps else { return nil }
        above = 0
        refractory = recent + baseline
        return Rise(sinceMs: firstAboveMs, size: difference)
    }

    /// σ of a normal distribution per mean absolute deviation (√(π/2)).
    static let sigmaPerMeanAbsoluteDeviation = 1.2533

    private func mean(_ values: ArraySlice<Double>) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }
}
