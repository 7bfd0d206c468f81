/// Exponentially weighted moving average of a series' usable values: the display and
/// model-input smoothing. It restarts after a gap (an empty or unusable point), so a
/// smoothed value never reaches across missing data.
public struct Smoother: Sendable {
    public let alpha: Double
    public private(set) var current: Double?

    public init(alpha: Double) {
        precondition(alpha > 0 && alpha <= 1, "alpha must be in (0, 1]")
        self.alpha = alpha
    }

    /// The smoothed value after `value` (nil for a point that is not usable).
    public mutating func next(_ value: Double?) -> Double? {
        guard let value else {
            current = nil
            return nil
        }
        current = step(from: current, to: value)
        return current
    }

    /// One step of the average from `previous` (nil: start afresh).
    public func step(from previous: Double?, to value: Double) -> Double {
        previous.map { $0 + alpha * (value - $0) } ?? value
    }
}
