/// How the readings of one slot become one value.
public enum SlotAggregation: Sendable {
    /// Mean of the slot's readings: flow and level, where the average over the slot is
    /// the physically meaningful quantity (volume per time, mean storage).
    case mean
    /// Median: pressure, where transients (a pump start, a water hammer) should not
    /// move the slot's value.
    case median
}

/// What the cleaner needs to know about one sensor.
public struct CleaningConfig: Sendable, Equatable {
    public var cadenceMs: Int64
    /// Readings may arrive this late (behind the newest one) and still be put in order.
    public var allowedLatenessMs: Int64
    /// Gaps of up to this many missing slots are interpolated (flag `imputed`); longer
    /// ones are emitted as empty `gap` slots, never filled with invented values.
    public var maxFillSteps: Int
    public var minValue: Double
    public var maxValue: Double
    /// Consecutive identical raw values that mark a sensor as stuck.
    public var stuckSteps: Int
    public var aggregation: SlotAggregation

    public init(
        cadenceMs: Int64 = 60_000, allowedLatenessMs: Int64? = nil, maxFillSteps: Int = 5,
        minValue: Double = -.infinity, maxValue: Double = .infinity, stuckSteps: Int = 30,
        aggregation: SlotAggregation = .mean
    ) {
        precondition(cadenceMs > 0, "cadence must be positive")
        self.cadenceMs = cadenceMs
        self.allowedLatenessMs = allowedLatenessMs ?? 2 * cadenceMs
        self.maxFillSteps = maxFillSteps
        self.minValue = minValue
        self.maxValue = maxValue
        self.stuckSteps = stuckSteps
        self.aggregation = aggregation
    }
}
