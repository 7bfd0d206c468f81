/// Water lost over an event: the zone inlets' inflow above their forecast, summed over
/// the steps (m³/h × hours), with an interval from the forecast's 90% interval (the
/// inflow above its upper edge is the least that was lost, above its lower edge the most).
public struct LossEstimate: Sendable, Equatable, Codable {
    public var volumeM3 = 0.0
    public var lowM3 = 0.0
    public var highM3 = 0.0
    /// The latest step's excess inflow (summed over the zone's inlets at that time).
    public var currentFlowM3h = 0.0

    public init() {}

    /// One inlet step: `value` and the forecast's mean and 90% bounds in m³/h over
    /// `hours`.
    public mutating func add(value: Double, mean: Double, lower: Double, upper: Double, hours: Double) {
        volumeM3 += (value - mean) * hours
        lowM3 += (value - upper) * hours
        highM3 += (value - lower) * hours
        currentFlowM3h = value - mean
    }

    /// Never below zero: an event cannot have given water back.
    public var clamped: LossEstimate {
        var c = self
        c.volumeM3 = max(0, volumeM3)
        c.lowM3 = max(0, min(lowM3, c.volumeM3))
        c.highM3 = max(c.volumeM3, highM3)
        return c
    }
}
