/// Page's two-sided CUSUM on standardised residuals: small sustained shifts — a slow
/// leak's inlet rising by half a standard deviation — add up until they cross `threshold`,
/// while noise around zero is drained by the `allowance` every step.
///
/// Residuals are in standard deviations. With allowance 0.5 and threshold 8, a shift of
/// one standard deviation is signalled after about 16 steps; in-control noise (independent,
/// normal) crosses it on either side about once in 9,000 steps (simulated).
public struct TwoSidedCUSUM: Sendable, Equatable, Codable {
    public enum Side: Sendable, Equatable, Codable { case up, down }

    public var allowance: Double
    public var threshold: Double
    /// Residuals are clamped to ±`clamp` first, so one wild value cannot cross alone.
    public var clamp: Double
    /// The upper and lower sums (both ≥ 0).
    public private(set) var upper = 0.0
    public private(set) var lower = 0.0
    /// Steps since each sum last stood at zero: the shift's likely start is that many
    /// steps back.
    public private(set) var upperRun = 0
    public private(set) var lowerRun = 0

    public init(allowance: Double = 0.5, threshold: Double = 8, clamp: Double = 4) {
        self.allowance = allowance
        self.threshold = threshold
        self.clamp = clamp
    }

    /// Adds one standardised residual; returns the side whose sum is past the threshold.
    @discardableResult
    public mutating func observe(_ z: Double) -> Side? {
        guard z.isFinite else { return signal }
        let x = max(-clamp, min(clamp, z))
        // Capped at twice the threshold: after a long shift the sum drains within
        // 2 × threshold / allowance steps of its end, instead of for as long as it lasted.
        upper = min(2 * threshold, max(0, upper + x - allowance))
        lower = min(2 * threshold, max(0, lower - x - allowance))
        upperRun = upper > 0 ? upperRun + 1 : 0
        lowerRun = lower > 0 ? lowerRun + 1 : 0
        return signal
    }

    /// The side past the threshold now, if any (the larger one when both are).
    public var signal: Side? {
        if upper >= threshold && upper >= lower { return .up }
        if lower >= threshold { return .down }
        return nil
    }

    /// Starts again from zero (after the shift has been dealt with, or the model changed).
    public mutating func reset() {
        upper = 0
        lower = 0
        upperRun = 0
        lowerRun = 0
    }
}
