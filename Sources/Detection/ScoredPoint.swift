/// What the detector knows about a sensor.
public enum SensorRole: String, Sendable, Equatable, Codable {
    case pressure
    /// A flow meter on a zone's inlet: water entering the zone's balance.
    case inletFlow
    /// A flow meter on a zone's outlet (a pump or main to another zone): water leaving it.
    case outletFlow
    case flow
    case level
    /// The level of a tank that stores the zone's water: the zone's balance counts its
    /// rise (area × level change) as water used, not lost.
    case storageLevel
    /// A customer meter: follows consumption, not losses (a water balance against the inlet).
    case meter
    case other
}

/// One scored point, as insight receives it from the model.
public struct ScoredPoint: Sendable, Equatable {
    public var sensorID: String
    public var zone: String
    public var role: SensorRole
    public var tsMs: Int64
    public var value: Double?
    public var forecastMean: Double
    /// The forecast's 90% interval (the mean when not known).
    public var forecastLower: Double
    public var forecastUpper: Double
    /// Signed surprise: ±1 at the 90% interval's edge.
    public var score: Double
    public var anomalous: Bool
    public var warmedUp: Bool
    /// Quality flag bits of the clean point (see `QualityFlag`).
    public var flags: UInt32
    public var modelVersion: String
    /// The trace id of the reading the point comes from ("" when it carried none).
    public var traceID: String
    /// For a `storageLevel` point: the tank's cross-section (m²), from the network file
    /// or the sensor's registration.
    public var storageAreaM2: Double = 0
    /// For a flow sensor that takes water out of another zone (a meter between two zones):
    /// that zone, whose balance counts the flow as leaving it.
    public var outletOfZone = ""

    public init(
        sensorID: String, zone: String, role: SensorRole, tsMs: Int64, value: Double?, forecastMean: Double,
        score: Double, anomalous: Bool, warmedUp: Bool, flags: UInt32, modelVersion: String,
        forecastLower: Double? = nil, forecastUpper: Double? = nil, traceID: String = ""
    ) {
        self.traceID = traceID
        self.forecastLower = forecastLower ?? forecastMean
        self.forecastUpper = forecastUpper ?? forecastMean
        self.sensorID = sensorID
        self.zone = zone
        self.role = role
        self.tsMs = tsMs
        self.value = value
        self.forecastMean = forecastMean
        self.score = score
        self.anomalous = anomalous
        self.warmedUp = warmedUp
        self.flags = flags
        self.modelVersion = modelVersion
    }

    static let gapFlag: UInt32 = 4
    static let outOfRangeFlag: UInt32 = 8
    static let stuckFlag: UInt32 = 32
    static let repeatedFlag: UInt32 = 256
}
