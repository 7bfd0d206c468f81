/// The result of `waterline eval cleaning`: per series and summed over all series, for
/// the real cleaner and the two baselines.
public struct CleaningReport: Codable, Sendable {
    public var seed: UInt64
    public var series: [SeriesReport]
    /// Confusion counts and squared errors summed over all series, rates recomputed.
    public var aggregate: MethodResults
    /// Faults injected over all series, by kind (``FaultKind`` raw value).
    public var faultCounts: [String: Int]
    /// Slots touched over all series, by kind.
    public var faultSlots: [String: Int]
}

/// One result per method.
public struct MethodResults: Codable, Sendable, Equatable {
    /// The real cleaner (``WaterlineCleaning``).
    public var waterline = MethodResult()
    /// No cleaning (``NoCleaningBaseline``).
    public var none = MethodResult()
    /// The fixed-threshold filter (``ThresholdBaseline``).
    public var threshold = MethodResult()

    public init() {}

    public static func + (a: MethodResults, b: MethodResults) -> MethodResults {
        var r = MethodResults()
        r.waterline = a.waterline + b.waterline
        r.none = a.none + b.none
        r.threshold = a.threshold + b.threshold
        return r
    }
}

/// One evaluated series: what it looked like, how it was cleaned, how each method did.
public struct SeriesReport: Codable, Sendable {
    public var name: String
    public var profile: SeriesProfile
    public var settings: CleanerSettings
    public var faultCounts: [String: Int]
    public var faultSlots: [String: Int]
    public var results: MethodResults
}

/// The settings the series was cleaned with (``CleaningConfig`` is not Codable).
public struct CleanerSettings: Codable, Sendable, Equatable {
    public var cadenceMs: Int64
    public var allowedLatenessMs: Int64
    public var maxFillSteps: Int
    public var minValue: Double
    public var maxValue: Double
    public var stuckSteps: Int
    public var aggregation: String
    public var spikeHalfWidth: Int
    public var spikeThreshold: Double
    public var spikeMinScale: Double
    /// What readings were multiplied by during the unit switch.
    public var unitFactor: Double
    /// The threshold baseline's k (global standard deviations).
    public var thresholdK: Double
}
