/// A zone (district metered area) of a scenario, as listed in `scenario.json`.
///
/// The water entering a zone is measured by its inlet sensors; their sum is the zone's inflow.
public struct ScenarioZone: Codable, Sendable, Equatable {
    /// Stable zone identifier, e.g. `north`.
    public var id: String
    /// Human-readable name, e.g. `North`.
    public var name: String
    /// Sensor ids of the flow sensors that measure the zone's inflow.
    public var inletSensors: [String]

    /// Creates a zone.
    public init(id: String, name: String, inletSensors: [String]) {
        self.id = id
        self.name = name
        self.inletSensors = inletSensors
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case inletSensors = "inlet_sensors"
    }
}
