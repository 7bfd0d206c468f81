import Cleaning

/// The `threshold` baseline: the fixed-threshold filter a spreadsheet would apply.
///
/// - Spikes: values further than `k` global standard deviations from the global mean
///   (both over the delivered values) are flagged `spike` and replaced by the previous
///   slot's output value.
/// - Stuck: runs of exactly repeated values over consecutive slots at least `stuckSteps`
///   long are flagged `stuck`, the whole run (it works offline, so it can look back).
/// - Gaps stay empty and unflagged.
public struct ThresholdBaseline: Sendable {
    public var k: Double
    public var stuckSteps: Int

    public init(k: Double = 3, stuckSteps: Int) {
        self.k = k
        self.stuckSteps = stuckSteps
    }

    public func clean(_ series: InjectedSeries) -> CleanedSeries {
        let buckets = SlotBuckets(series)
        var points = [CleanSample?](repeating: nil, count: series.slotCount)
        guard let span = buckets.span else { return CleanedSeries(points: points, duplicatesDropped: 0) }
        let present = buckets.values.compactMap { $0 }
        let mean = present.reduce(0, +) / Double(present.count)
        let variance = present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)
        let limit = k * variance.squareRoot()

        var previous: Double?
        for i in span {
            let ts = Int64(i) * series.cadenceMs
            guard let raw = buckets.values[i] else {
                points[i] = CleanSample(tsMs: ts, value: nil, rawValue: nil, flags: [])
                continue
            }
            var point = CleanSample(tsMs: ts, value: raw, rawValue: raw, flags: [])
            if abs(raw - mean) > limit {
                point.flags.insert(.spike)
                point.value = previous ?? raw
            }
            points[i] = point
            previous = point.value
        }
        flagStuckRuns(in: &points, values: buckets.values, span: span)
        return CleanedSeries(points: points, duplicatesDropped: buckets.repeated)
    }

    private func flagStuckRuns(in points: inout [CleanSample?], values: [Double?], span: ClosedRange<Int>) {
        var runStart = span.lowerBound
        for i in span {
            let continues = i > runStart && values[i] != nil && values[i] == values[i - 1]
            if !continues { runStart = i }
            let length = i - runStart + 1
            guard values[i] != nil, length >= stuckSteps else { continue }
            // Reaching the threshold flags the run so far; later points one by one.
            for j in (length == stuckSteps ? runStart : i)...i { points[j]?.flags.insert(.stuck) }
        }
    }
}
