/// One sensor's part in a zone's water balance at a step.
enum BalanceTerm: Sendable, Equatable {
    /// An inlet's flow (m³/h): water in.
    case inflow(Double)
    /// An outlet's flow: water out to another zone.
    case outflow(Double)
    /// A tank's level (m) and cross-section (m²): its rise is water stored, not used.
    case storage(level: Double, areaM2: Double)
}

/// A zone's net inflow — inlets − outlets − the rise of its tanks — step by step, fed to an
/// `InflowLeakDetector` (the detector `waterline eval scenarios` scores on LeakDB, here on
/// the live points). What is left is what the zone's customers use and lose: a pump that
/// exports water, or a tank that fills, takes nothing from it.
///
/// Points arrive sensor by sensor and not always in step: a step's balance is complete
/// when every member of the zone has reported it, and it is fed in time order (a step
/// completed after a later one was fed is dropped, as a missing step). A tank's term for a
/// step comes with its level at the next one, so a zone with a tank is judged a step
/// later. The detector's step is the spacing of the first two steps seen, its window a
/// day, and an alarm clears after half a day under its clearing level.
struct ZoneInflowTracker: Sendable, Codable {
    /// A step's balance so far: the members that reported it, summed.
    private struct PartialStep: Sendable, Codable {
        var sum = 0.0
        var count = 0
    }

    /// A tank's last level, for its rise over the next step.
    private struct LevelReading: Sendable, Codable {
        var tsMs: Int64
        var level: Double
    }
    private var lastLevels: [String: LevelReading]? = nil

    private var detector: InflowLeakDetector?
    private var pending: [Int64: PartialStep] = [:]
    private var firstStepMs: Int64?
    /// The first step's balance, fed once the second step gives the cadence.
    private var firstInflow: Double?
    private var lastFedMs: Int64?
    /// When the detector's current alarm was raised.
    private(set) var alarmSinceMs: Int64?
    /// Whether the detector has learnt and calibrated enough to judge steps.
    private(set) var isJudging = false
    /// The latest step judged.
    private(set) var lastVerdict: InflowLeakDetector.Verdict?
    /// Abrupt rises of the balance (bursts), also during an alarm.
    private var steps: BalanceStepDetector?
    /// A rise of the balance, with the step it was found at and whether the balance
    /// detector was already alarmed then (then it is a new incident beside the leak the
    /// detector is alarmed about).
    struct FoundRise: Sendable, Codable, Equatable {
        var rise: BalanceStepDetector.Rise
        var foundMs: Int64
        var duringAlarm: Bool
    }
    /// The rise the latest judged step confirmed, if it confirmed one.
    private(set) var riseAtLastStep: FoundRise?
    /// The latest rise found while no alarm was raised: the alarm that follows is a burst.
    private(set) var lastRiseBeforeAlarm: FoundRise?
    /// The flow of the rises found during the current alarm: the part of its excess that
    /// their own events account for.
    private(set) var risesDuringAlarm = 0.0
    /// The detector's step, in hours.
    var stepHours: Double { detector.map { Double($0.config.stepMs) / 3_600_000 } ?? 0 }

    /// Data time under the clearing level after which an alarm clears.
    static let clearAfterMs: Int64 = 12 * 3_600_000

    /// Incomplete steps kept at most (a day at one-minute cadence).
    static let maxPendingSteps = 1_440

    /// Steps waiting for a member's reading.
    var pendingSteps: Int { pending.count }

    /// Adds one member's reading; `members` is how many the zone's balance has. Returns the
    /// verdict on the step it completed, if the detector judged one.
    @discardableResult
    mutating func add(sensorID: String, tsMs: Int64, term: BalanceTerm, members: Int) -> InflowLeakDetector.Verdict? {
        let flow: Double
        var tsMs = tsMs
        switch term {
        case .inflow(let q): flow = q
        case .outflow(let q): flow = -q
        case .storage(let level, let area):
            // A tank's rise from one step to the next is the water stored during the first
            // (the flows measured at a step run until the next one): this level completes
            // the step before it.
            var levels = lastLevels ?? [:]
            let before = levels[sensorID]
            if (before?.tsMs ?? .min) < tsMs { levels[sensorID] = LevelReading(tsMs: tsMs, level: level) }
            lastLevels = levels
            guard let before, before.tsMs < tsMs else { return nil }
            flow = -area * (level - before.level) / (Double(tsMs - before.tsMs) / 3_600_000)
            tsMs = before.tsMs
        }
        if let last = lastFedMs, tsMs <= last { return nil }
        var entry = pending[tsMs] ?? PartialStep()
        entry.sum += flow
        entry.count += 1
        guard entry.count >= members else {
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
                firstInflow = inflow
                return nil
            }
            let step = tsMs - first
            guard step > 0, 86_400_000 % step == 0 else {
                // Not a cadence that divides a day: try the next pair.
                firstStepMs = tsMs
                firstInflow = inflow
                return nil
            }
            var config = InflowLeakDetector.Config(stepMs: step)
            config.windowSteps = config.stepsPerDay
            // An alarm clears after half a day under its clearing level, whatever the
            // cadence (24 steps at LeakDB's 30 minutes; at L-Town's 5 minutes, 24 steps
            // let a small leak's alarm clear and come back every few days).
            config.clearSteps = max(config.clearSteps, Int(Self.clearAfterMs / step))
            detector = InflowLeakDetector(config: config)
            // The first step is part of the learning days as much as any other.
            if let firstInflow { _ = detector!.observe(tsMs: first, inflow: firstInflow) }
            firstInflow = nil
        }
        guard let verdict = detector!.observe(tsMs: tsMs, inflow: inflow) else { return nil }
        isJudging = true
        lastVerdict = verdict
        let wasAlarmed = alarmSinceMs != nil
        if verdict.alarmed {
            if alarmSinceMs == nil { alarmSinceMs = tsMs }
        } else {
            alarmSinceMs = nil
            risesDuringAlarm = 0
        }
        if steps == nil { steps = BalanceStepDetector(config: .init(stepMs: detector!.config.stepMs)) }
        riseAtLastStep = steps!.observe(tsMs: tsMs, inflow: inflow, shape: verdict.shape, level: verdict.level)
            .map { FoundRise(rise: $0, foundMs: tsMs, duringAlarm: wasAlarmed) }
        if let found = riseAtLastStep {
            if wasAlarmed { risesDuringAlarm += found.rise.size } else { lastRiseBeforeAlarm = found }
        }
        return verdict
    }
}
