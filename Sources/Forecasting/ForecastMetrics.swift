import Foundation

/// Accumulates how good probabilistic one-step forecasts were over a held-out window:
/// CRPS (continuous ranked probability score: the distribution's error, in the
/// series' unit; lower is better), MASE (the point forecast's absolute error over
/// that of a seasonal-naive forecast on the training data) and the coverage of the
/// 90% interval.
public struct ForecastMetrics: Sendable, Codable, Equatable {
    public private(set) var count = 0
    private var crpsSum = 0.0
    private var absoluteErrorSum = 0.0
    private var inside = 0

    public init() {}

    /// CRPS by its quantile decomposition: twice the mean pinball loss over the
    /// quantile levels 1%…99%. Works for any distribution with a quantile function.
    public static func crps(_ y: Double, quantile: (Double) -> Double) -> Double {
        var sum = 0.0
        for i in 1...99 {
            let p = Double(i) / 100
            let q = quantile(p)
            sum += (y < q ? (1 - p) * (q - y) : p * (y - q))
        }
        return 2 * sum / 99
    }

    /// Records one observation against its forecast distribution.
    public mutating func add(_ y: Double, median: Double, lower: Double, upper: Double, quantile: (Double) -> Double) {
        count += 1
        crpsSum += Self.crps(y, quantile: quantile)
        absoluteErrorSum += abs(y - median)
        if y >= lower && y <= upper { inside += 1 }
    }

    public var crps: Double { count > 0 ? crpsSum / Double(count) : .nan }
    public var meanAbsoluteError: Double { count > 0 ? absoluteErrorSum / Double(count) : .nan }
    public var coverage90: Double { count > 0 ? Double(inside) / Double(count) : .nan }

    /// MASE against `naiveError`, the mean absolute error of the seasonal-naive
    /// forecast (the value one season earlier) on the training data.
    public func mase(naiveError: Double) -> Double { naiveError > 0 ? meanAbsoluteError / naiveError : .nan }

    public static func + (a: ForecastMetrics, b: ForecastMetrics) -> ForecastMetrics {
        var r = a
        r.count += b.count
        r.crpsSum += b.crpsSum
        r.absoluteErrorSum += b.absoluteErrorSum
        r.inside += b.inside
        return r
    }

    /// The mean absolute error of forecasting each value by the one `season` steps
    /// earlier (missing values skipped): MASE's yardstick.
    public static func seasonalNaiveError(_ values: ArraySlice<Double?>, season: Int) -> Double {
        var sum = 0.0
        var n = 0
        var i = values.startIndex + season
        while i < values.endIndex {
            if let y = values[i], let previous = values[i - season] {
                sum += abs(y - previous)
                n += 1
            }
            i += 1
        }
        return n > 0 ? sum / Double(n) : .nan
    }
}

extension Forecast {
    /// The forecast as a normal distribution: its mean, and σ from the 90% interval's
    /// half-widths (a split normal when they differ).
    public func quantile(_ p: Double) -> Double {
        let z = normalQuantile(p)
        let half = z >= 0 ? upper - mean : mean - lower
        return mean + z * half / 1.6448536269514722
    }
}
