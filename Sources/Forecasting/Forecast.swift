/// A one-step-ahead predictive distribution for one point, and how the observed
/// value scores against it.
public struct Forecast: Sendable, Equatable {
    public var mean: Double
    /// Bounds of the 90% predictive interval.
    public var lower: Double
    public var upper: Double
    /// False while the model lacks history for this time of day/week.
    public var warmedUp: Bool

    public init(mean: Double, lower: Double, upper: Double, warmedUp: Bool) {
        self.mean = mean
        self.lower = lower
        self.upper = upper
        self.warmedUp = warmedUp
    }

    /// Signed surprise of `value`: 0 at the mean, ±1 at the interval's edge.
    public func score(_ value: Double) -> Double {
        guard warmedUp else { return 0 }
        if value >= mean {
            let half = upper - mean
            return half > 0 ? (value - mean) / half : 0
        }
        let half = mean - lower
        return half > 0 ? (value - mean) / half : 0
    }
}
