/// Turns one sensor's raw readings, arriving in any order, into a regular series with
/// one point per cadence slot. (The checks on values over time, stuck runs and spikes,
/// are ``SeriesCleaner``'s.)
///
/// Readings are held until the watermark (the newest timestamp seen minus the allowed
/// lateness) passes their slot; then the slot is emitted, in order. A reading for a
/// slot already emitted is late: it is not used here but handed back by ``takeLate()``
/// so the caller can rebuild the affected window (``SeriesCleaner/rebuild``).
///
/// Duplicates: a second reading with the same timestamp and the same value is dropped.
/// With a different value it is a conflict: the last one to arrive replaces the first
/// (last writer wins, as ingest stores it) and the point is flagged `conflict`.
public struct SensorCleaner: Sendable {
    public let config: CleaningConfig
    /// Readings of slots not emitted yet, sorted by time (a few slots' worth: an array
    /// beats a dictionary of per-slot arrays here).
    private var pending: [RawSample] = []
    /// Start of the next slot to emit; nil before the first reading.
    public private(set) var nextSlot: Int64?
    private var emittedAny = false
    private var newestTs: Int64 = .min
    /// The last emitted slot, if it had a usable value: the left end of an interpolation.
    private var lastValued: (ts: Int64, value: Double)?
    /// Empty slots waiting for the next value to decide, interpolate or mark as gap:
    /// the first of them and how many.
    private var openGap: (first: Int64, count: Int) = (0, 0)
    private var late: [RawSample] = []

    public private(set) var lateCount = 0
    public private(set) var duplicateCount = 0
    public private(set) var conflictCount = 0

    public init(config: CleaningConfig) {
        self.config = config
    }

    /// Resumes after a restart: every slot up to `lastSlot` was emitted before, and
    /// `lastValue` is the value of that slot if it was usable.
    public init(config: CleaningConfig, resumeAfter lastSlot: Int64, lastValue: Double?) {
        self.config = config
        nextSlot = lastSlot + config.cadenceMs
        emittedAny = true
        newestTs = lastSlot
        if let lastValue { lastValued = (lastSlot, lastValue) }
    }

    /// Start of the slot holding `ts`.
    public func slot(of ts: Int64) -> Int64 {
        let c = config.cadenceMs
        return ts >= 0 ? (ts / c) * c : ((ts - c + 1) / c) * c
    }

    /// Adds readings in their arrival order and returns the points that became final, in
    /// time order. Slots are emitted as each reading arrives, so whether a reading is
    /// late depends on the order readings came in, never on how they were batched.
    public mutating func add(_ samples: [RawSample]) -> [CleanSample] {
        var out: [CleanSample] = []
        for sample in samples {
            accept(sample)
            guard newestTs != .min else { continue }
            out += emit(through: slot(of: newestTs - config.allowedLatenessMs) - config.cadenceMs)
        }
        return out
    }

    /// Emits every held slot up to the newest reading, for a sensor that went quiet.
    public mutating func flush() -> [CleanSample] {
        guard newestTs != .min else { return [] }
        return emit(through: slot(of: newestTs))
    }

    public var hasPending: Bool { !pending.isEmpty }

    /// The newest reading's timestamp seen so far (nil before the first).
    public var newestReadingTs: Int64? { newestTs == .min ? nil : newestTs }

    /// The late readings seen since the last call, oldest first.
    public mutating func takeLate() -> [RawSample] {
        defer { late.removeAll() }
        return late.sorted { $0.tsMs < $1.tsMs }
    }

    private mutating func accept(_ sample: RawSample) {
        let s = slot(of: sample.tsMs)
        if let next = nextSlot, s < next {
            if emittedAny {
                lateCount += 1
                late.append(sample)
                return
            }
            nextSlot = s  // nothing emitted yet: an earlier reading moves the start back
        }
        // Where the reading goes in time order; usually at the end.
        var i = pending.count
        while i > 0 && pending[i - 1].tsMs > sample.tsMs { i -= 1 }
        if i > 0 && pending[i - 1].tsMs == sample.tsMs {
            if pending[i - 1].value == sample.value {
                duplicateCount += 1
            } else {
                conflictCount += 1
                var replacement = sample
                replacement.conflict = true
                pending[i - 1] = replacement
            }
            return
        }
        pending.insert(sample, at: i)
        if nextSlot == nil { nextSlot = s }
        newestTs = max(newestTs, sample.tsMs)
    }

    private mutating func emit(through last: Int64) -> [CleanSample] {
        guard var ts = nextSlot, ts <= last else { return [] }
        var out: [CleanSample] = []
        var taken = 0
        while ts <= last {
            var end = taken
            while end < pending.count && slot(of: pending[end].tsMs) == ts { end += 1 }
            if end > taken {
                let p = point(ts, pending[taken..<end])
                taken = end
                let usable = p.flags.isDisjoint(with: QualityFlags.unfitForModel)
                closeGap(rightValue: usable ? p.value : nil, at: ts, into: &out)
                out.append(p)
                // Interpolation needs a usable neighbour right before the gap: a stuck
                // or out-of-range point is no anchor.
                lastValued = usable ? p.value.map { (ts, $0) } : nil
            } else {
                if openGap.count == 0 { openGap.first = ts }
                openGap.count += 1
            }
            ts += config.cadenceMs
        }
        pending.removeFirst(taken)
        nextSlot = ts
        emittedAny = true
        return out
    }

    /// The point of a slot from its readings (in time order).
    private mutating func point(_ ts: Int64, _ readings: ArraySlice<RawSample>) -> CleanSample {
        let last = readings[readings.endIndex - 1]
        var flags: QualityFlags = readings.count > 1 ? .aggregated : []
        if readings.contains(where: \.conflict) { flags.insert(.conflict) }
        let value: Double
        if readings.count == 1 {
            value = last.value
        } else {
            switch config.aggregation {
            case .mean: value = readings.reduce(0) { $0 + $1.value } / Double(readings.count)
            case .median: value = median(readings.map(\.value))
            }
        }
        if !config.isInRange(value) { flags.insert(.outOfRange) }
        return CleanSample(tsMs: ts, value: value, rawValue: last.value, flags: flags, traceID: last.traceID)
    }

    /// Closes the open gap that ends at slot `ts`: interpolated when it is short and
    /// both ends have usable values, otherwise empty `gap` points.
    private mutating func closeGap(rightValue: Double?, at ts: Int64, into out: inout [CleanSample]) {
        guard openGap.count > 0 else { return }
        defer { openGap.count = 0 }
        let (first, cadence) = (openGap.first, config.cadenceMs)
        let slots = (0..<openGap.count).lazy.map { first + Int64($0) * cadence }
        if openGap.count <= config.maxFillSteps, let left = lastValued, let right = rightValue {
            let span = Double(ts - left.ts)
            for g in slots {
                let w = Double(g - left.ts) / span
                out.append(CleanSample(tsMs: g, value: left.value + (right - left.value) * w, rawValue: nil, flags: .imputed))
            }
        } else {
            for g in slots { out.append(CleanSample(tsMs: g, value: nil, rawValue: nil, flags: .gap)) }
        }
    }
}

/// Median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}
