/// A zone's net inflow (the sum of its inlet meters), step by step, fed to an
/// `InflowLeakDetector` — the detector `waterline eval scenarios` scores on LeakDB, here on
/// the live points.
///
/// Points arrive sensor by sensor and not always in step: a step's inflow is complete when
/// every inlet of the zone has reported it, and it is fed in time order (a step completed
/// after a later one was fed is dropped, as a missing step). The detector's step is the
/// spacing of the first two steps seen, its window a day.
struct ZoneInflowTracker: Sendable, Codable {
    /// A step's inflow so far: the inlets that reported it, summed.
    private struct PartialStep: Sendable, Codable {
        var sum = 0.0
        var count = 0
    }

    private var detector: InflowLeakDetector?
    private var pending: [Int64: PartialStep] = [:]
    private var firstStepMs: Int64?
    private var lastFedMs: Int64?
    /// When the detector's current alarm was raised.
    private(set) var alarmSinceMs: Int64?
    /// Whether the detector has learnt and calibrated enough to judge steps.
    private(set) var isJudging = false
    /// The latest step judged.
    private(set) var lastVerdict: InflowLeakDetector.Verdict?
    /// The detector's step, in hours.
    var stepHours: Double { detector.map { Double($0.config.stepMs) / 3_600_000 } ?? 0 }

    /// Incomplete steps kept at most (a day at one-minute cadence).
    static let maxPendingSteps = 1_440

    /// Steps waiting for an inlet's reading.
    var pendingSteps: Int { pending.count }

    /// Adds one inlet's reading; `inlets` is how many the zone has. Returns the verdict on
    /// the step it completed, if the detector judged one.
    @discardableResult
    mutating func add(tsMs: Int64, value: Double, inlets: Int) -> InflowLeakDetector.Verdict? {
        if let last = lastFedMs, tsMs <= last { return nil }
        var entry = pending[tsMs] ?? PartialStep()
        entry.sum += value
        entry.count += 1
        guard entry.count >= inlets else {
            pending[tsMs] = entry
            // An inlet that stopped reporting leaves every step incomplete: keep a day of
            // them at most, so a silent meter cannot grow this without bound.
            if pending.count > Self.maxPendingSteps, let oldest = pending.keys.min() { pending[oldest] = nil }
            return nil
        }
        pending[tsMs] = nil
        let verdict = feed(tsMs: tsMs, inflow: entry.sum)
        // Older incomplete steps can no longer be fed in order.
        if pending.count > 0 { pending = pending.filter { $0.key > tsMs } }
        return verdict
    }

    private mutating func feed(tsMs: Int64, inflow: Double) -> InflowLeakDetector.Verdict? {
        defer { lastFedMs = tsMs }
        if detector == nil {
            guard let first = firstStepMs else {
                firstStepMs = tsMs
                return nil
            }
            let step = tsMs - first
            guard step > 0, 86_400_000 % step == 0 else {
                firstStepMs = tsMs  // not a cadence that divides a day: try the next pair
                return nil
            }
            var config = InflowLeakDetector.Config(stepMs: step)
            config.windowSteps = config.stepsPerDay
            detector = InflowLeakDetector(config: config)
        }
        guard let verdict = detector!.observe(tsMs: tsMs, inflow: inflow) else { return nil }
        isJudging = true
        lastVerdict = verdict
        if verdict.alarmed {
            if alarmSinceMs == nil { alarmSinceMs = tsMs }
        } else {
            alarmSinceMs = nil
        }
        return verdict
    }
}
