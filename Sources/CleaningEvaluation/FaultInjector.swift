import Cleaning

/// Injects known faults into one clean series, deterministically for a seed.
///
/// The series is taken as consecutive slots at `cadenceMs` (slot `i` at `i × cadenceMs`).
/// Faults are placed at random without overlapping (``FaultPlan/margin``); then the
/// readings are delivered in arrival order: every reading at its own slot, except that
/// the readings of an out-of-order burst and the second copy of a duplicate arrive up
/// to `allowedLatenessMs` later. That keeps every reading within the cleaner's allowed
/// lateness, so a correct cleaner puts all of them in place.
public struct FaultInjector: Sendable {
    public var plan: FaultPlan
    public var cadenceMs: Int64
    public var allowedLatenessMs: Int64

    public init(plan: FaultPlan = FaultPlan(), cadenceMs: Int64, allowedLatenessMs: Int64) {
        precondition(cadenceMs > 0, "cadence must be positive")
        precondition(allowedLatenessMs >= 0, "lateness must not be negative")
        self.plan = plan
        self.cadenceMs = cadenceMs
        self.allowedLatenessMs = allowedLatenessMs
    }

    /// Injects faults into `values`.
    ///
    /// - Parameters:
    ///   - unitFactor: what a reading is multiplied by while sent in the other unit
    ///     (100 for a pressure in bar sent in kPa).
    ///   - profile: the series' profile, if already computed (it sets the spike size).
    public func inject(
        _ values: [Double], seed: UInt64, unitFactor: Double = 100, profile: SeriesProfile? = nil
    ) -> InjectedSeries {
        var rng = SplitMix64(seed: seed)
        return inject(values, rng: &rng, unitFactor: unitFactor, profile: profile)
    }

    public func inject(
        _ values: [Double], rng: inout SplitMix64, unitFactor: Double = 100, profile: SeriesProfile? = nil
    ) -> InjectedSeries {
        let n = values.count
        guard n > 0 else { return InjectedSeries(cadenceMs: cadenceMs, readings: [], labels: [], faults: [], sent: []) }
        let faults = place(slots: n, rng: &rng)
        var labels = [FaultKind?](repeating: nil, count: n)
        var sent: [Double?] = values
        let spikeSize = Self.spikeUnit(profile ?? SeriesProfile(values))
        for fault in faults {
            for i in fault.slots { labels[i] = fault.kind }
            switch fault.kind {
            case .spike:
                let scale = rng.double(in: plan.spikeScales)
                let sign: Double = rng.next() & 1 == 0 ? 1 : -1
                let amplitude = max(scale * spikeSize.noise, plan.spikeMinSteps * spikeSize.step)
                sent[fault.start] = values[fault.start] + sign * amplitude
            case .stuck:
                for i in fault.slots { sent[i] = values[fault.start] }
            case .shortGap, .longGap:
                for i in fault.slots { sent[i] = nil }
            case .unitSwitch:
                for i in fault.slots { sent[i] = values[i] * unitFactor }
            case .duplicate, .outOfOrder:
                break
            }
        }
        let readings = deliver(sent, faults: faults, rng: &rng)
        return InjectedSeries(cadenceMs: cadenceMs, readings: readings, labels: labels, faults: faults, sent: sent)
    }

    /// The scale and resolution a spike is sized from: the series' ordinary
    /// variability (a spike is many times the change the sensor shows in normal
    /// operation, not merely many times the robust noise of a sensor that mostly sits
    /// still). A constant series has neither; its spikes are then 1 (or 10% of its
    /// level) times the scale.
    private static func spikeUnit(_ p: SeriesProfile) -> (noise: Double, step: Double) {
        let scale = max(p.noiseScale, p.variability)
        if scale > 0 || p.quantisationStep > 0 { return (scale, p.quantisationStep) }
        return (max(0.1 * abs(p.maxValue), 1), 0)
    }

    /// Chooses where the faults go: longest kinds first, each at a random start where
    /// it keeps `margin` free slots to every fault placed before and to both ends.
    private func place(slots n: Int, rng: inout SplitMix64) -> [InjectedFault] {
        var occupied = [Bool](repeating: false, count: n)
        var faults: [InjectedFault] = []
        let margin = plan.margin
        for kind in FaultPlan.placementOrder {
            for _ in 0..<plan.count(of: kind, slots: n) {
                let length = rng.int(in: plan.lengths(of: kind))
                let lastStart = n - margin - length
                guard lastStart >= margin else { continue }
                for _ in 0..<plan.placementAttempts {
                    let start = rng.int(in: margin...lastStart)
                    let lo = max(0, start - margin)
                    let hi = min(n, start + length + margin)
                    guard !occupied[lo..<hi].contains(true) else { continue }
                    for i in start..<(start + length) { occupied[i] = true }
                    faults.append(InjectedFault(kind: kind, start: start, length: length))
                    break
                }
            }
        }
        return faults
    }

    /// The readings in arrival order. Each reading gets an arrival time in slots: its own
    /// slot, plus a random delay below the allowed lateness for the readings of a burst
    /// and for the second copy of a duplicate. A reading delayed by d < L slots arrives
    /// when the newest reading is at most slot i + L, so it is never late.
    private func deliver(_ sent: [Double?], faults: [InjectedFault], rng: inout SplitMix64) -> [RawSample] {
        let maxDelay = Double(allowedLatenessMs) / Double(cadenceMs)
        var delayed = Set<Int>()
        var duplicated = Set<Int>()
        for fault in faults {
            if fault.kind == .outOfOrder { delayed.formUnion(fault.slots) }
            if fault.kind == .duplicate { duplicated.insert(fault.start) }
        }
        var arrivals: [(at: Double, order: Int, sample: RawSample)] = []
        for (i, value) in sent.enumerated() {
            guard let value else { continue }
            let sample = RawSample(tsMs: Int64(i) * cadenceMs, value: value)
            let delay = delayed.contains(i) ? rng.nextUnit() * maxDelay : 0
            arrivals.append((Double(i) + delay, arrivals.count, sample))
            if duplicated.contains(i) {
                arrivals.append((Double(i) + rng.nextUnit() * maxDelay, arrivals.count, sample))
            }
        }
        arrivals.sort { ($0.at, $0.order) < ($1.at, $1.order) }
        return arrivals.map(\.sample)
    }
}
