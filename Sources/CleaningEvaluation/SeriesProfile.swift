/// What the evaluation measures on an untouched series before injecting faults: its
/// noise, its resolution, its range and its longest natural run. The fault sizes and
/// the cleaner settings are derived from these, never from anomaly labels.
public struct SeriesProfile: Codable, Sendable, Equatable {
    public var count: Int
    public var minValue: Double
    public var maxValue: Double
    /// The robust noise scale: 1.4826 × the median absolute deviation of the first
    /// differences, divided by √2 (the difference of two independent noisy readings
    /// has √2 times their noise). Robust, so level shifts and a few outliers barely
    /// move it; first differences, so slow trends do not count as noise.
    public var noiseScale: Double
    /// The plain noise scale: the standard deviation of the first differences, divided
    /// by √2. Unlike `noiseScale` it counts the series' ordinary one-reading
    /// excursions (SKAB's flow sits on a value for seconds, then jumps by a unit and
    /// back): the size of change the sensor shows in normal operation.
    public var variability: Double
    /// The smallest nonzero difference between distinct values: the sensor's (or the
    /// file's) resolution. A quantised series moves in steps of at least this size.
    public var quantisationStep: Double
    /// The longest run of exactly repeated consecutive values.
    public var longestRun: Int

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "a profile needs values")
        count = values.count
        minValue = values.min()!
        maxValue = values.max()!
        let differences = zip(values.dropFirst(), values).map { $0 - $1 }
        if differences.isEmpty {
            noiseScale = 0
            variability = 0
        } else {
            let mean = differences.reduce(0, +) / Double(differences.count)
            let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(differences.count)
            variability = variance.squareRoot() / 2.0.squareRoot()
            let m = median(differences)
            noiseScale = 1.4826 * median(differences.map { abs($0 - m) }) / 2.0.squareRoot()
        }
        let distinct = Array(Set(values)).sorted()
        quantisationStep = zip(distinct.dropFirst(), distinct).map { $0 - $1 }.min() ?? 0
        var longest = 1
        var run = 1
        for (a, b) in zip(values, values.dropFirst()) {
            run = a == b ? run + 1 : 1
            longest = max(longest, run)
        }
        longestRun = longest
    }

    public var range: Double { maxValue - minValue }
}

/// Median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}
