/// The contents of a scenario's `scenario.json`: what the scenario is and how its clock runs.
public struct ScenarioMeta: Codable, Sendable, Equatable {
    /// Short identifier of the scenario.
    public var name: String
    /// Free text describing the scenario.
    public var description: String
    /// Timestamp of the first reading slot, milliseconds since the epoch (UTC).
    public var startMs: Int64
    /// Nominal interval between two readings of one sensor, in milliseconds.
    public var stepMs: Int64
    /// Price of one cubic metre of water, used to turn lost volume into lost revenue.
    public var tariffPerM3: Double
    /// The zones of the network.
    public var zones: [ScenarioZone]
    /// File name of an EPANET `.inp` network model in the scenario folder, if there is one.
    public var network: String?

    /// Creates scenario metadata.
    public init(
        name: String, description: String, startMs: Int64, stepMs: Int64,
        tariffPerM3: Double, zones: [ScenarioZone], network: String? = nil
    ) {
        self.name = name
        self.description = description
        self.startMs = startMs
        self.stepMs = stepMs
        self.tariffPerM3 = tariffPerM3
        self.zones = zones
        self.network = network
    }

    enum CodingKeys: String, CodingKey {
        case name, description, zones, network
        case startMs = "start_ms"
        case stepMs = "step_ms"
        case tariffPerM3 = "tariff_per_m3"
    }
}
