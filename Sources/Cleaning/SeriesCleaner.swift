/// One sensor's cleaning, from raw readings to the points to publish: resampling, gaps
/// and range checks (``SensorCleaner``), stuck runs, spikes (``HampelFilter``) and
/// smoothing (``Smoother``).
///
/// A stuck run is recognised when `stuckSteps` readings in a row repeat the first one
/// (within `stuckTolerance`); then the whole run is flagged `stuck`, its earlier points
/// as corrections. Before that, from the third reading of a run on, points are flagged
/// `repeated` in their first version.
///
/// A point is returned as soon as its slot is final (revision 1), so scoring is never
/// held back by the spike window. Once the `spikeHalfWidth` slots after it are in, the
/// Hampel judgement is made; if it changes the point (a spike: the window's median
/// replaces the value, the raw value stays, flag `spike`), the point is returned again
/// with the next revision — also when both happen within one call: what a point's first
/// version is depends on the readings and their order only, never on how they were
/// batched. (A rebuild, which compares with what is stored, merges them.)
///
/// The smoothed value of a corrected point is recomputed; the points after it keep the
/// smoothing they were published with (the smoothed series is for display).
public struct SeriesCleaner: Sendable {
    public var config: CleaningConfig { resampler.config }
    private var resampler: SensorCleaner
    private var hampel: HampelFilter?
    private var smoother: Smoother
    /// Points whose spike judgement is still open, oldest first (at most the half-width).
    private var held: [Held] = []
    /// What the current call returns.
    private var output: [CleanSample] = []
    /// The points of the current run of repeated readings, while it is shorter than
    /// `stuckSteps`: flagged after the fact if it goes on.
    private var run: [Published] = []
    private var runStart: Double?
    private var runLength = 0
    /// Whether a correction made within the call that first returned the point replaces
    /// that version in place (a rebuild) or follows it as the next revision (the stream).
    private var mergesCorrectionsInCall = false

    private struct Published: Sendable {
        var sample: CleanSample
        var outputIndex: Int?
    }

    /// A point awaiting its spike judgement. What was last returned (or stored) for it
    /// differs from the provisional point only in value, flags and revision, so only
    /// those are kept: the state of a sensor stays small.
    private struct Held: Sendable {
        // Optionals are stored as NaN: a Double? takes twice the room, in every
        // sensor's state, and a clean value is never NaN.
        let tsMs: Int64
        private let valueOrNaN: Double
        private let rawOrNaN: Double
        var flags: QualityFlags
        let revision: UInt32
        let traceID: String
        private var publishedValueOrNaN: Double
        var publishedFlags: QualityFlags
        var publishedRevision: UInt32
        private var outputIndexOrNegative: Int32
        private let smoothedBeforeOrNaN: Double

        init(provisional p: CleanSample, outputIndex: Int?, smoothedBefore: Double?) {
            tsMs = p.tsMs
            valueOrNaN = p.value ?? .nan
            rawOrNaN = p.rawValue ?? .nan
            flags = p.flags
            revision = p.revision
            traceID = p.traceID
            publishedValueOrNaN = valueOrNaN
            publishedFlags = p.flags
            publishedRevision = p.revision
            outputIndexOrNegative = outputIndex.map { Int32($0) } ?? -1
            smoothedBeforeOrNaN = smoothedBefore ?? .nan
        }

        /// The point as first emitted, its smoothed value recomputed from the one before.
        func provisional(_ smoother: Smoother) -> CleanSample {
            let value = valueOrNaN.isNaN ? nil : valueOrNaN
            let smoothed = value.flatMap { v in flags.isDisjoint(with: .unfitForModel) ? smoother.step(from: smoothedBefore, to: v) : nil }
            return CleanSample(
                tsMs: tsMs, value: value, rawValue: rawOrNaN.isNaN ? nil : rawOrNaN, flags: flags, revision: revision,
                smoothed: smoothed, traceID: traceID)
        }

        /// Its index in `output` when the current call returned it.
        var outputIndex: Int? {
            get { outputIndexOrNegative >= 0 ? Int(outputIndexOrNegative) : nil }
            set { outputIndexOrNegative = newValue.map { Int32($0) } ?? -1 }
        }

        var smoothedBefore: Double? { smoothedBeforeOrNaN.isNaN ? nil : smoothedBeforeOrNaN }

        /// What was last returned (or stored) for the point.
        func published(_ smoother: Smoother) -> CleanSample {
            var p = provisional(smoother)
            p.value = publishedValueOrNaN.isNaN ? nil : publishedValueOrNaN
            p.flags = publishedFlags
            p.revision = publishedRevision
            return p
        }

        mutating func setPublished(_ sample: CleanSample) {
            publishedValueOrNaN = sample.value ?? .nan
            publishedFlags = sample.flags
            publishedRevision = sample.revision
        }
    }

    public init(config: CleaningConfig) {
        self.init(config: config, resampler: SensorCleaner(config: config))
    }

    /// Resumes after `lastSlot`, which was emitted before with `lastValue` (nil when it
    /// had no usable value).
    public init(config: CleaningConfig, resumeAfter lastSlot: Int64, lastValue: Double?) {
        self.init(config: config, resampler: SensorCleaner(config: config, resumeAfter: lastSlot, lastValue: lastValue))
    }

    private init(config: CleaningConfig, resampler: SensorCleaner) {
        self.resampler = resampler
        smoother = Smoother(alpha: config.smoothingAlpha)
        if config.spikeHalfWidth > 0 {
            hampel = HampelFilter(
                halfWidth: config.spikeHalfWidth, threshold: config.spikeThreshold, minScale: config.spikeMinScale)
        }
    }

    /// The first slot not emitted yet.
    public var nextSlot: Int64? { resampler.nextSlot }
    public var hasPending: Bool { resampler.hasPending }
    /// The newest reading's timestamp seen so far (nil before the first).
    public var newestReadingTs: Int64? { resampler.newestReadingTs }
    public var lateCount: Int { resampler.lateCount }
    public var duplicateCount: Int { resampler.duplicateCount }
    public var conflictCount: Int { resampler.conflictCount }

    /// Readings that arrived after their slot was emitted, since the last call.
    public mutating func takeLate() -> [RawSample] { resampler.takeLate() }

    /// Adds readings; returns new points and corrected versions of earlier ones.
    public mutating func add(_ samples: [RawSample]) -> [CleanSample] {
        begin()
        feed(resampler.add(samples))
        return end()
    }

    /// Emits every held slot up to the newest reading, for a sensor that went quiet.
    /// The spike judgement of the last points waits for the data after them.
    public mutating func flush() -> [CleanSample] {
        begin()
        feed(resampler.flush())
        return end()
    }

    /// The end of the data (an offline run): flushes, and judges the last points on the
    /// part of their window that exists.
    public mutating func finish() -> [CleanSample] {
        begin()
        feed(resampler.flush())
        if var filter = hampel {
            for decision in filter.drain() { judge(held.removeFirst(), decision) }
            hampel = filter
        }
        return end()
    }

    // MARK: Publishing and judging

    private mutating func begin() {
        output = []
        for i in held.indices { held[i].outputIndex = nil }
        for i in run.indices { run[i].outputIndex = nil }
    }

    private mutating func end() -> [CleanSample] {
        defer { output = [] }
        return output
    }

    private mutating func feed(_ points: [CleanSample]) {
        for point in points { publish(point) }
    }

    private mutating func publish(_ point: CleanSample) {
        var p = point
        let stuck = checkStuck(&p)
        let before = smoother.current
        p.smoothed = smoother.next(p.flags.isDisjoint(with: .unfitForModel) ? p.value : nil)
        output.append(p)
        if p.rawValue != nil && !stuck { run.append(Published(sample: p, outputIndex: output.count - 1)) }
        guard hampel != nil else { return }
        held.append(Held(provisional: p, outputIndex: output.count - 1, smoothedBefore: before))
        if let decision = hampel?.push(Self.judgeable(p) ? p.value : nil) {
            judge(held.removeFirst(), decision)
        }
    }

    private mutating func judge(_ h: Held, _ decision: HampelFilter.Decision) {
        var final = h.provisional(smoother)
        if decision.spike, Self.judgeable(final), let median = decision.median {
            final.value = median
            final.flags.insert(.spike)
            final.smoothed = smoother.step(from: h.smoothedBefore, to: median)
        }
        final.flags.formUnion(h.publishedFlags.intersection(.late))
        if final.sameContent(as: h.published(smoother)) { return }
        let index: Int
        if let i = h.outputIndex, mergesCorrectionsInCall {
            final.revision = output[i].revision
            output[i] = final
            index = i
        } else {
            final.revision = h.publishedRevision + 1
            output.append(final)
            index = output.count - 1
        }
        if let r = run.firstIndex(where: { $0.sample.tsMs == final.tsMs }) {
            run[r] = Published(sample: final, outputIndex: index)
        }
    }

    /// Counts the run of repeated readings `p` belongs to and flags it when the run is
    /// long enough, with the run's earlier points. Returns whether `p` is stuck.
    private mutating func checkStuck(_ p: inout CleanSample) -> Bool {
        guard let raw = p.rawValue else { return false }  // no reading in the slot
        if let start = runStart, abs(raw - start) <= config.stuckTolerance {
            runLength += 1
        } else {
            runStart = raw
            runLength = 1
            run.removeAll()
        }
        guard runLength >= config.stuckSteps else {
            if runLength >= QualityFlags.repeatedAfter { p.flags.insert(.repeated) }
            return false
        }
        p.flags.insert(.stuck)
        for entry in run {
            var flagged = entry.sample
            flagged.flags.insert(.stuck)
            let merged = entry.outputIndex != nil && mergesCorrectionsInCall
            if merged, let i = entry.outputIndex {
                output[i].flags.insert(.stuck)
                flagged = output[i]
            } else {
                flagged.revision += 1
                output.append(flagged)
            }
            // A point still awaiting its spike judgement keeps the flag (stuck points
            // are not judged).
            if let h = held.firstIndex(where: { $0.tsMs == flagged.tsMs }) {
                held[h].flags.insert(.stuck)
                held[h].setPublished(flagged)
                if !merged { held[h].outputIndex = output.count - 1 }
            }
        }
        run.removeAll()
        return true
    }

    /// Points the spike filter judges: real readings that are not part of a stuck run.
    /// An out-of-range reading is judged too: a single impossible value among
    /// plausible ones is a spike (flagged both) and gets the window's median.
    private static func judgeable(_ s: CleanSample) -> Bool {
        s.value != nil && s.flags.isDisjoint(with: [.imputed, .gap, .stuck])
    }

    // MARK: Rebuilding from history

    /// Rebuilds a sensor's cleaning from its stored history: after late readings (or a
    /// conflicting one) for slots already emitted, and after a restart.
    ///
    /// - Parameters:
    ///   - startSlot: the first slot to clean again; start `rebuildLeadInSlots` before
    ///     `compareFrom` so stuck runs, gaps and spike windows are seen whole.
    ///   - raws: every stored raw reading from `startSlot` on (canonical unit, any order).
    ///   - stored: the stored clean points from the slot before `startSlot` on.
    ///   - compareFrom: points before this slot are context only, never returned.
    ///   - lateSlots: slots that received late readings: flagged `late`.
    /// - Returns: the cleaner to continue with, and the points that differ from what is
    ///   stored: new ones at revision 1, changed ones at the stored revision + 1.
    public static func rebuild(
        config: CleaningConfig, startSlot: Int64, raws: [RawSample], stored: [CleanSample],
        compareFrom: Int64, lateSlots: Set<Int64> = []
    ) -> (cleaner: SeriesCleaner, changes: [CleanSample]) {
        let storedBySlot = stored.latestBySlot()
        let previous = startSlot - config.cadenceMs
        var cleaner: SeriesCleaner
        if let before = storedBySlot[previous] {
            let usable = before.flags.isDisjoint(with: .unfitForModel) ? before.value : nil
            cleaner = SeriesCleaner(config: config, resumeAfter: previous, lastValue: usable)
        } else {
            cleaner = SeriesCleaner(config: config)
        }
        cleaner.mergesCorrectionsInCall = true
        cleaner.begin()
        // In time order: a rebuild sees every reading at once, none of them late.
        let ordered = raws.enumerated().filter { $0.element.tsMs >= startSlot }
            .sorted { ($0.element.tsMs, $0.offset) < ($1.element.tsMs, $1.offset) }.map(\.element)
        cleaner.feed(cleaner.resampler.add(ordered))
        // Slots stored beyond the watermark (a sensor flushed when it went quiet) are
        // emitted again, so they are compared rather than emitted twice later.
        if let lastStored = storedBySlot.keys.max(), let next = cleaner.nextSlot, next <= lastStored {
            cleaner.feed(cleaner.resampler.flush())
        }
        let produced = cleaner.end()
        cleaner.mergesCorrectionsInCall = false
        _ = cleaner.resampler.takeLate()

        var changes: [CleanSample] = []
        for var p in produced {
            let heldIndex = cleaner.held.firstIndex { $0.tsMs == p.tsMs }
            let old = storedBySlot[p.tsMs]
            if lateSlots.contains(p.tsMs) || old.map({ Self.gainedReadings(p, since: $0) }) == true {
                p.flags.insert(.late)
            }
            if let old { p.flags.formUnion(old.flags.intersection(.late)) }
            var publish = p.tsMs >= compareFrom
            if let old {
                p.revision = old.revision
                let awaitingJudgement = heldIndex != nil && Self.sameBeforeJudgement(p, old)
                if p.sameContent(as: old) || awaitingJudgement {
                    publish = false
                    p = old
                } else if publish {
                    p.revision = old.revision + 1
                } else {
                    p = old
                }
            }
            if let i = heldIndex {
                cleaner.held[i].setPublished(p)
                cleaner.held[i].flags.formUnion(p.flags.intersection(.late))
            }
            if let r = cleaner.run.firstIndex(where: { $0.sample.tsMs == p.tsMs }) {
                cleaner.run[r].sample = p
            }
            if publish { changes.append(p) }
        }
        return (cleaner, changes)
    }

    /// Whether the slot holds readings the stored version did not: then they arrived
    /// after it was emitted, whichever rebuild picked them up.
    private static func gainedReadings(_ p: CleanSample, since old: CleanSample) -> Bool {
        guard let raw = p.rawValue else { return false }
        guard let oldRaw = old.rawValue else { return true }
        return raw != oldRaw || (p.flags.contains(.aggregated) && !old.flags.contains(.aggregated))
    }

    /// A stored point judged a spike and a provisional point not judged yet agree when
    /// they hold the same reading and flags apart from the spike.
    private static func sameBeforeJudgement(_ provisional: CleanSample, _ stored: CleanSample) -> Bool {
        guard stored.flags.contains(.spike) else { return false }
        let raw = CleanSample(
            tsMs: stored.tsMs, value: provisional.value, rawValue: stored.rawValue,
            flags: stored.flags.subtracting(.spike))
        return provisional.sameContent(as: raw)
    }
}
