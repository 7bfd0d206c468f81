import Cleaning

/// One untouched series to evaluate on: consecutive readings at the evaluation's cadence.
public struct EvaluationSeries: Sendable {
    public var name: String
    public var values: [Double]
    /// How the cleaner combines readings of one slot (median for pressure, mean for flow).
    public var aggregation: SlotAggregation
    /// What a reading is multiplied by while the sensor sends in another unit: 100 for
    /// a pressure in bar sent in kPa, 1/3.6 for a flow in m³/h sent in l/s.
    public var unitFactor: Double

    public init(name: String, values: [Double], aggregation: SlotAggregation = .mean, unitFactor: Double = 100) {
        self.name = name
        self.values = values
        self.aggregation = aggregation
        self.unitFactor = unitFactor
    }
}

/// The evaluation's fixed settings (not per series).
public struct EvaluationConfig: Sendable {
    public var cadenceMs: Int64 = 1000
    /// Allowed lateness in slots. Five, rather than the service's default two, so an
    /// out-of-order burst can really be shuffled while staying within it.
    public var allowedLatenessSlots: Int64 = 5
    /// Readings per `add` call, as the preprocess service receives them in batches.
    public var batchSize = 50
    /// The threshold baseline's k: the classic three-sigma rule.
    public var thresholdK = 3.0
    public var plan = FaultPlan()

    public init() {}

    public var allowedLatenessMs: Int64 { allowedLatenessSlots * cadenceMs }
}
