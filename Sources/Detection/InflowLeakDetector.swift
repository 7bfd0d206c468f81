/// Finds water entering a zone that its customers do not use, from the zone's net inflow
/// alone (the sum of its inlet meters), causally: each step's verdict uses only the
/// readings up to it.
///
/// Demand follows a weekly shape scaled by a level that drifts slowly (season, weather);
/// a leak adds a flow that does not follow the shape. So over a trailing window of
/// `windowSteps`, the inflow is fitted as `level × shape(t) + leak`: the intercept is the
/// leak's flow, whatever the level does — the night-flow idea, using every step of the
/// window rather than one minimum a day. The shape (mean inflow per slot of the week,
/// normalised) is learnt over the first `learningDays` and then kept up to date slot by
/// slot while no alarm is raised (so a leak already running while it was learnt heals
/// out); the intercept's own normal offset and spread are calibrated for
/// `calibrationDays` and followed slowly while no alarm is raised, with each step's pull
/// clipped to `followClipSigmas`: a leak growing over weeks must not be learnt as normal,
/// and during an alarm nothing is learnt at all.
public struct InflowLeakDetector: Sendable, Codable {
    public struct Config: Sendable, Equatable, Codable {
        public var stepMs: Int64
        public var learningDays = 7
        public var calibrationDays = 7
        public var windowSteps = 48
        /// Raise when the intercept is this many spreads above its normal offset...
        public var raiseSigmas = 4.0
        /// ... and at least this share of the window's mean inflow.
        public var minimumShare = 0.01
        /// Clear after `clearSteps` consecutive steps under this many spreads.
        public var clearSigmas = 2.0
        public var clearSteps = 24
        /// Days over which the normal offset and spread are followed when not alarmed:
        /// long, so that a leak growing over weeks is not followed.
        public var followDays = 90.0
        /// A step moves the offset and spread by at most this many spreads' worth.
        public var followClipSigmas = 2.5
        /// Weight of a new week in each slot of the demand shape (1 / weeks remembered).
        public var shapeWeight = 0.1

        public init(stepMs: Int64) { self.stepMs = stepMs }

        var stepsPerDay: Int { Int(86_400_000 / stepMs) }
        var slotsPerWeek: Int { 7 * stepsPerDay }
    }

    /// The verdict on one step.
    public struct Verdict: Sendable, Equatable, Codable {
        public var tsMs: Int64
        public var alarmed: Bool
        /// Inflow not following the demand shape, above its normal offset (m³/h if the
        /// inflow is): the leak's size while alarmed.
        public var excess: Double
        /// The spread of `excess` when there is no leak.
        public var sigma: Double
        /// The inflow expected without a leak at this step.
        public var expected: Double
        /// The inflow above what the level before the alarm and the shape expect: the
        /// leak's flow on average over the day (the intercept `excess` is its flow at zero
        /// demand, which is larger: a leak runs faster at night, when pressure is high).
        public var excessOverLevel: Double
        /// The demand shape's value at this step's slot of the week (mean 1).
        public var shape: Double
        /// The demand level that `expected` uses: the fit's from before the alarm while
        /// alarmed, the current fit's otherwise. `level × shape` is the demand without
        /// leakage (`BalanceStepDetector` reads both).
        public var level: Double
    }

    public let config: Config
    /// One of the learning days' inflows.
    private struct LearningStep: Sendable, Codable {
        /// Steps since the first.
        var step: Int
        var slot: Int
        var inflow: Double
    }
    /// A window step: the shape at its slot and the inflow.
    private struct WindowStep: Sendable, Codable {
        var x: Double
        var q: Double
    }
    private struct Fit: Sendable, Codable {
        var level: Double
        var intercept: Double
    }
    private struct ShapeStep: Sendable, Codable {
        var slot: Int
        var inflow: Double
        var normal: Bool
    }

    /// The learning days' inflows.
    private var learning: [LearningStep] = []
    private var shape: [Double]? = nil
    private var firstMs: Int64? = nil
    private var window: [WindowStep] = []
    private var calibration: [Double] = []
    private var offset = 0.0
    private var calibrated = false
    private var alarmed = false
    private var quietSteps = 0
    /// The demand level at the last step without an alarm.
    private var levelBeforeAlarm = 0.0
    private var interceptBeforeAlarm = 0.0
    /// Recent fitted levels: at an alarm, the level from before the leak entered the window.
    private var recentFits: [Fit] = []
    /// The trailing week of inflows since the last alarm: the shape's normaliser.
    private var week: [Double] = []
    private var weekSum = 0.0
    /// Steps waiting half a week before they teach the shape.
    private var pendingShape: [ShapeStep] = []
    private var meanAbsoluteDeviation = 0.0

    public init(config: Config) {
        self.config = config
    }

    public var isAlarmed: Bool { alarmed }

    /// Feeds one step's inflow (nil: missing). Returns nil until the detector can judge.
    public mutating func observe(tsMs: Int64, inflow: Double?) -> Verdict? {
        let first = firstMs ?? tsMs
        firstMs = first
        let slot = Int((tsMs / config.stepMs) % Int64(config.slotsPerWeek))
        guard let shape else {
            if let inflow { learning.append(LearningStep(step: Int((tsMs - first) / config.stepMs), slot: slot, inflow: inflow)) }
            if tsMs - first >= Int64(config.learningDays) * 86_400_000 - config.stepMs { shape = learntShape() }
            return nil
        }
        guard let inflow else { return nil }
        window.append(WindowStep(x: shape[slot], q: inflow))
        if window.count > config.windowSteps { window.removeFirst(window.count - config.windowSteps) }
        guard window.count == config.windowSteps else { return nil }
        let (level, intercept, meanInflow) = fit()
        if !calibrated {
            calibration.append(intercept)
            if calibration.count >= config.calibrationDays * config.stepsPerDay {
                let sorted = calibration.sorted()
                offset = sorted[sorted.count / 2]
                let mad = calibration.map { abs($0 - offset) }.sorted()[sorted.count / 2]
                let floor = 1e-3 * max(abs(meanInflow), 1e-9)
                meanAbsoluteDeviation = max(1.4826 * mad, floor) / Self.sigmaPerMeanAbsoluteDeviation
                calibrated = true
            }
            remember(inflow)
            learnShape(slot: slot, inflow: inflow)
            rememberFit(level, intercept)
            return nil
        }
        let sigma = Self.sigmaPerMeanAbsoluteDeviation * meanAbsoluteDeviation
        let excess = intercept - offset
        if alarmed {
            quietSteps = excess < config.clearSigmas * sigma ? quietSteps + 1 : 0
            if quietSteps >= config.clearSteps {
                alarmed = false
                // The level may have moved during a long alarm: the shape learns again
                // only from a whole week of fresh inflows.
                week.removeAll()
                weekSum = 0
            }
        } else if excess > config.raiseSigmas * sigma && excess > config.minimumShare * meanInflow {
            alarmed = true
            quietSteps = 0
            pendingShape.removeAll()
            // The fits a day and more before the alarm (before the leak entered the window),
            // level and intercept together (they trade off against each other), averaged
            // over half a day so one window's error does not carry.
            let before = recentFits.prefix(max(1, recentFits.count / 2))
            levelBeforeAlarm = before.isEmpty ? level : before.reduce(0) { $0 + $1.level } / Double(before.count)
            interceptBeforeAlarm = before.isEmpty ? offset : before.reduce(0) { $0 + $1.intercept } / Double(before.count)
        }
        if !alarmed {
            let alpha = 1 / (config.followDays * Double(config.stepsPerDay))
            // Only steps that look normal teach: a leak growing towards an alarm stays out
            // of the offset, the spread and the shape alike.
            let normal = abs(excess) <= config.followClipSigmas * sigma
            if normal {
                offset += alpha * excess
                meanAbsoluteDeviation += alpha * (abs(excess) / Self.truncatedMeanAbsoluteDeviation - meanAbsoluteDeviation)
            }
            remember(inflow)
            learnShape(slot: slot, inflow: inflow, normal: normal)
            rememberFit(level, intercept)
        }
        let expected = alarmed ? levelBeforeAlarm * shape[slot] + interceptBeforeAlarm : level * shape[slot] + intercept
        return Verdict(
            tsMs: tsMs, alarmed: alarmed, excess: excess, sigma: sigma, expected: expected,
            excessOverLevel: inflow - expected, shape: shape[slot], level: alarmed ? levelBeforeAlarm : level)
    }

    /// E|z| of a standard normal z given |z| ≤ 2.5, relative to E|z|: the spread learnt
    /// from normal-looking steps only is scaled up by it.
    static let truncatedMeanAbsoluteDeviation = 0.968

    private mutating func rememberFit(_ level: Double, _ intercept: Double) {
        recentFits.append(Fit(level: level, intercept: intercept))
        if recentFits.count > config.windowSteps + 1 { recentFits.removeFirst() }
    }

    /// σ of a normal distribution per mean absolute deviation (√(π/2)).
    static let sigmaPerMeanAbsoluteDeviation = 1.2533

    /// Queues this step; a step half a week old moves its slot's shape towards its inflow
    /// relative to the mean of the week centred on it (a trend in the level cancels out;
    /// each slot is seen once a week, so `shapeWeight` is per week). The wait also keeps
    /// the hours before a leak is detected, which already hold it, from being learnt: an
    /// alarm drops the queue.
    /// Steps whose excess was beyond `followClipSigmas` are not learnt either: a leak
    /// growing slowly towards an alarm must not become part of the demand's shape.
    private mutating func learnShape(slot: Int, inflow: Double, normal: Bool = true) {
        guard shape != nil else { return }
        pendingShape.append(ShapeStep(slot: slot, inflow: inflow, normal: normal))
        guard pendingShape.count > config.slotsPerWeek / 2 else { return }
        let step = pendingShape.removeFirst()
        let (s, old, wasNormal) = (step.slot, step.inflow, step.normal)
        guard wasNormal, week.count == config.slotsPerWeek, weekSum > 0 else { return }
        shape![s] += config.shapeWeight * (old / (weekSum / Double(week.count)) - shape![s])
    }

    private mutating func remember(_ inflow: Double) {
        week.append(inflow)
        weekSum += inflow
        if week.count > config.slotsPerWeek { weekSum -= week.removeFirst() }
    }

    /// Least squares of inflow on shape with an intercept over the window (and the
    /// window's mean inflow, which it needs anyway).
    private func fit() -> (level: Double, intercept: Double, meanInflow: Double) {
        let n = Double(window.count)
        let mx = window.reduce(0) { $0 + $1.x } / n
        let mq = window.reduce(0) { $0 + $1.q } / n
        var sxx = 0.0
        var sxq = 0.0
        for p in window {
            sxx += (p.x - mx) * (p.x - mx)
            sxq += (p.x - mx) * (p.q - mq)
        }
        let level = sxx > 0 ? sxq / sxx : 0
        return (level, mq - level * mx, mq)
    }

    /// Mean inflow per slot of the week over the learning days, each inflow divided by
    /// the straight-line trend of the level through them (a level rising over the first
    /// week must not tilt the shape), normalised to mean 1; slots never seen take their
    /// nearest seen neighbour's value.
    private mutating func learntShape() -> [Double] {
        defer { learning = [] }
        let n = Double(learning.count)
        guard n > 1 else { return Array(repeating: 1, count: config.slotsPerWeek) }
        let mt = learning.reduce(0) { $0 + Double($1.step) } / n
        let mq = learning.reduce(0) { $0 + $1.inflow } / n
        var stt = 0.0
        var stq = 0.0
        for p in learning {
            stt += (Double(p.step) - mt) * (Double(p.step) - mt)
            stq += (Double(p.step) - mt) * (p.inflow - mq)
        }
        let slope = stt > 0 ? stq / stt : 0
        var sum = Array(repeating: 0.0, count: config.slotsPerWeek)
        var count = Array(repeating: 0, count: config.slotsPerWeek)
        for p in learning {
            let trend = mq + slope * (Double(p.step) - mt)
            guard trend > 0 else { continue }
            sum[p.slot] += p.inflow / trend
            count[p.slot] += 1
        }
        var means = zip(sum, count).map { $1 > 0 ? $0 / Double($1) : Double.nan }
        guard means.contains(where: { !$0.isNaN }) else { return Array(repeating: 1, count: means.count) }
        for i in means.indices where means[i].isNaN {
            var d = 1
            while means[(i + d) % means.count].isNaN && means[(i - d + means.count) % means.count].isNaN { d += 1 }
            let after = means[(i + d) % means.count]
            means[i] = after.isNaN ? means[(i - d + means.count) % means.count] : after
        }
        let mean = means.reduce(0, +) / Double(means.count)
        return mean != 0 ? means.map { $0 / mean } : means
    }
}
