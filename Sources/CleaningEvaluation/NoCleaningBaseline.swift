import Cleaning

/// The `none` baseline: no cleaning at all. Readings are put in their slot (the last
/// one to arrive wins), nothing is flagged, missing slots stay empty.
public enum NoCleaningBaseline {
    public static func clean(_ series: InjectedSeries) -> CleanedSeries {
        let buckets = SlotBuckets(series)
        var points = [CleanSample?](repeating: nil, count: series.slotCount)
        if let span = buckets.span {
            for i in span {
                let v = buckets.values[i]
                points[i] = CleanSample(tsMs: Int64(i) * series.cadenceMs, value: v, rawValue: v, flags: [])
            }
        }
        return CleanedSeries(points: points, duplicatesDropped: buckets.repeated)
    }
}
