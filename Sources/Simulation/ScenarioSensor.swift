/// One row of a scenario's `sensors.csv`
/// (`sensor_id,kind,unit,zone,node_id,lat,lon,min,max`).
public struct ScenarioSensor: Sendable, Equatable {
    /// Stable sensor identifier, e.g. `north-p1`.
    public var sensorId: String
    /// What the sensor measures: `pressure`, `flow`, `level` or `meter`.
    public var kind: String
    /// Unit of the values, e.g. `bar`, `m3/h`, `m`.
    public var unit: String
    /// Id of the zone the sensor belongs to.
    public var zone: String
    /// The network node or link the sensor sits on; may be empty.
    public var nodeId: String
    /// Latitude in degrees (WGS 84).
    public var lat: Double
    /// Longitude in degrees (WGS 84).
    public var lon: Double
    /// Lowest physically plausible value; anything below is impossible.
    public var min: Double
    /// Highest physically plausible value; anything above is impossible.
    public var max: Double

    /// Creates a sensor description.
    public init(
        sensorId: String, kind: String, unit: String, zone: String, nodeId: String,
        lat: Double, lon: Double, min: Double, max: Double
    ) {
        self.sensorId = sensorId
        self.kind = kind
        self.unit = unit
        self.zone = zone
        self.nodeId = nodeId
        self.lat = lat
        self.lon = lon
        self.min = min
        self.max = max
    }
}
