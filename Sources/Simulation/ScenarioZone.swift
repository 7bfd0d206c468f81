/// A zone (district metered area) of a scenario, as listed in `scenario.json`.
///
/// The zone's water balance: what its inlet sensors measure coming in, minus what its
/// outlet sensors measure leaving (a pump or main feeding another zone), minus the rise of
/// its tanks (the storage sensors' levels times the tank's area). What is left is what the
/// zone's customers use and lose.
public struct ScenarioZone: Codable, Sendable, Equatable {
    /// Stable zone identifier, e.g. `north`.
    public var id: String
    /// Human-readable name, e.g. `North`.
    public var name: String
    /// Sensor ids of the flow sensors that measure water entering the zone.
    public var inletSensors: [String]
    /// Sensor ids of the flow sensors that measure water leaving it for another zone.
    public var outletSensors: [String] = []
    /// Sensor ids of the level sensors of the zone's tanks.
    public var storageSensors: [String] = []
    /// The cross-section (m²) of the zone's tank, for its storage sensors; nil: from the
    /// network file's tank at each sensor's node.
    public var tankAreaM2: Double?

    /// Creates a zone.
    public init(id: String, name: String, inletSensors: [String], outletSensors: [String] = [], storageSensors: [String] = [], tankAreaM2: Double? = nil) {
        self.id = id
        self.name = name
        self.inletSensors = inletSensors
        self.outletSensors = outletSensors
        self.storageSensors = storageSensors
        self.tankAreaM2 = tankAreaM2
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case inletSensors = "inlet_sensors"
        case outletSensors = "outlet_sensors"
        case storageSensors = "storage_sensors"
        case tankAreaM2 = "tank_area_m2"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        inletSensors = try c.decodeIfPresent([String].self, forKey: .inletSensors) ?? []
        outletSensors = try c.decodeIfPresent([String].self, forKey: .outletSensors) ?? []
        storageSensors = try c.decodeIfPresent([String].self, forKey: .storageSensors) ?? []
        tankAreaM2 = try c.decodeIfPresent(Double.self, forKey: .tankAreaM2)
        if let area = tankAreaM2, !(area > 0 && area.isFinite) {
            throw DecodingError.dataCorruptedError(forKey: .tankAreaM2, in: c, debugDescription: "tank_area_m2 must be a positive number of m²")
        }
    }

    /// The roles only where a zone has them, so that scenarios without outlets or tanks are
    /// written as before.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(inletSensors, forKey: .inletSensors)
        if !outletSensors.isEmpty { try c.encode(outletSensors, forKey: .outletSensors) }
        if !storageSensors.isEmpty { try c.encode(storageSensors, forKey: .storageSensors) }
        try c.encodeIfPresent(tankAreaM2, forKey: .tankAreaM2)
    }
}
