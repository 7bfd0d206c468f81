import Cleaning

/// What one cleaning method made of an injected series, ready to be scored.
public struct CleanedSeries: Sendable {
    /// Per slot, the last version of its point (nil: no point was emitted for it).
    public var points: [CleanSample?]
    /// Readings dropped as exact duplicates (same timestamp, same value).
    public var duplicatesDropped: Int
    /// Readings that arrived after their slot was final and were not used.
    public var lateReadings: Int

    public init(points: [CleanSample?], duplicatesDropped: Int, lateReadings: Int = 0) {
        self.points = points
        self.duplicatesDropped = duplicatesDropped
        self.lateReadings = lateReadings
    }

    /// The last version (highest revision) of each slot's point: a point may be
    /// published again when a spike is judged or a stuck run is flagged retroactively.
    public init(
        versions: [CleanSample], of series: InjectedSeries, duplicatesDropped: Int, lateReadings: Int
    ) {
        var points = [CleanSample?](repeating: nil, count: series.slotCount)
        for p in versions {
            guard let i = series.slot(of: p.tsMs) else { continue }
            if (points[i]?.revision ?? 0) <= p.revision { points[i] = p }
        }
        self.init(points: points, duplicatesDropped: duplicatesDropped, lateReadings: lateReadings)
    }
}

/// The readings bucketed per slot, the last one to arrive winning, as the baselines see
/// them. Also counts readings that landed on a slot already holding the same value.
struct SlotBuckets {
    var values: [Double?]
    var repeated = 0

    init(_ series: InjectedSeries) {
        values = [Double?](repeating: nil, count: series.slotCount)
        for r in series.readings {
            guard let i = series.slot(of: r.tsMs) else { continue }
            if values[i] == r.value { repeated += 1 }
            values[i] = r.value
        }
    }

    /// Slots from the first to the last one with a reading: what a cleaner emits.
    var span: ClosedRange<Int>? {
        guard let first = values.firstIndex(where: { $0 != nil }),
            let last = values.lastIndex(where: { $0 != nil })
        else { return nil }
        return first...last
    }
}
