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
    /// How far beyond a bound a value may lie and still count as in range: a transmitter's
    /// noise around a bound it rests at (a stopped pump's flow meter reading −0.1 m³/h
    /// around 0) is not a fault. The value is kept as read, not clamped.
    public var rangeTolerance: Double
    /// Consecutive identical raw values that mark a sensor as stuck.
    public var stuckSteps: Int
    /// Values within this distance of the first of a run count as identical for
    /// `stuckSteps` (0: only exactly repeated values, what a frozen transmitter sends).
    public var stuckTolerance: Double
    public var aggregation: SlotAggregation
    /// Half-width of the Hampel window in slots (0 turns spike detection off).
    public var spikeHalfWidth: Int
    /// Robust standard deviations from the window median that make a spike.
    public var spikeThreshold: Double
    /// Smallest robust scale of a window, so a nearly flat window does not call noise a
    /// spike: in the canonical unit.
    public var spikeMinScale: Double
    /// Weight of the newest value in the smoothed series (EWMA), in (0, 1].
    public var smoothingAlpha: Double

    public static let defaultSpikeHalfWidth = 7
    public static let defaultSpikeThreshold = 6.0

    public init(
        cadenceMs: Int64 = 60_000, allowedLatenessMs: Int64? = nil, maxFillSteps: Int = 5,
        minValue: Double = -.infinity, maxValue: Double = .infinity, rangeTolerance: Double = 0, stuckSteps: Int = 30,
        stuckTolerance: Double = 0, aggregation: SlotAggregation = .mean,
        spikeHalfWidth: Int = defaultSpikeHalfWidth, spikeThreshold: Double = defaultSpikeThreshold,
        spikeMinScale: Double = 1e-6, smoothingAlpha: Double = 0.3
    ) {
        precondition(spikeHalfWidth >= 0, "spike half-width must not be negative")
        precondition(smoothingAlpha > 0 && smoothingAlpha <= 1, "smoothing alpha must be in (0, 1]")
        precondition(cadenceMs > 0, "cadence must be positive")
        precondition(rangeTolerance >= 0, "range tolerance must not be negative")
        self.cadenceMs = cadenceMs
        self.allowedLatenessMs = allowedLatenessMs ?? 2 * cadenceMs
        self.maxFillSteps = maxFillSteps
        self.minValue = minValue
        self.maxValue = maxValue
        self.rangeTolerance = rangeTolerance
        self.stuckSteps = stuckSteps
        self.stuckTolerance = stuckTolerance
        self.aggregation = aggregation
        self.spikeHalfWidth = spikeHalfWidth
        self.spikeThreshold = spikeThreshold
        self.spikeMinScale = spikeMinScale
        self.smoothingAlpha = smoothingAlpha
    }

    /// Slots a rebuild starts before the first slot it may change, so the stuck run,
    /// the gap before it and the spike window around it are seen as they were.
    public var rebuildLeadInSlots: Int { stuckSteps + maxFillSteps + 1 + 2 * spikeHalfWidth }

    /// How far back (in slots) a reading in slot s can change points: the gap before it
    /// that it may close, and the spike windows that contain it.
    public var reachBackSlots: Int { max(maxFillSteps + 1, spikeHalfWidth) }
}

extension CleaningConfig {
    /// Whether a value lies within the registered range, give or take `rangeTolerance`.
    public func isInRange(_ value: Double) -> Bool {
        value >= minValue - rangeTolerance && value <= maxValue + rangeTolerance
    }
}
