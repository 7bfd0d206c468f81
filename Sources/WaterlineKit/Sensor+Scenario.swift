import Simulation
import WaterlineProto

/// Which sensors take which part in their zones' water balances: from a scenario's zones,
/// or the options of `waterline sensors import` and the REST import.
public struct BalanceRoles: Sendable, Equatable {
    public var inlets: Set<String> = []
    /// Outlets by the zone they take water from.
    public var outlets: [String: String] = [:]
    /// Tank level sensors and their tanks' cross-sections (m²).
    public var storage: [String: Double] = [:]

    public init(inlets: Set<String> = [], outlets: [String: String] = [:], storage: [String: Double] = [:]) {
        self.inlets = inlets
        self.outlets = outlets
        self.storage = storage
    }

    /// From `scenario.json`'s zones: a zone's storage sensors take its `tank_area_m2`.
    public init(zones: [ScenarioZone]) {
        for zone in zones {
            inlets.formUnion(zone.inletSensors)
            for id in zone.outletSensors { outlets[id] = zone.id }
            for id in zone.storageSensors { storage[id] = zone.tankAreaM2 ?? 0 }
        }
    }

    /// Marks `ids` as outlets of the zones they sit in among `sensors` (the CLI's and the
    /// REST import's lists of outlets).
    public mutating func addOutlets(_ ids: [String], of sensors: [ScenarioSensor]) {
        let zoneOf = Dictionary(sensors.map { ($0.sensorId, $0.zone) }) { first, _ in first }
        for id in ids { outlets[id] = zoneOf[id] ?? "" }
    }

    /// A sensor's role in the balance of the zone it sits in. A meter that is one zone's
    /// outlet and another's inlet (L-Town's PUMP_1, in zone C) is the inlet of the zone it
    /// sits in; the other zone's balance does not count it yet.
    public func role(of id: String, zone: String) -> BalanceRole {
        if inlets.contains(id) { return .inlet }
        if outlets[id] == zone { return .outlet }
        if storage[id] != nil { return .storage }
        return .unspecified
    }
}

extension Sensor {
    /// The registry entry for a scenario's sensor.
    public init(_ s: ScenarioSensor, cadenceMs: Int64, inlets: Set<String>) {
        self.init(s, cadenceMs: cadenceMs, roles: BalanceRoles(inlets: inlets))
    }

    /// The registry entry for a scenario's sensor, with its part in its zone's balance.
    public init(_ s: ScenarioSensor, cadenceMs: Int64, roles: BalanceRoles) {
        self.init()
        sensorID = s.sensorId
        kind = SensorKind(label: s.kind) ?? .unspecified
        unit = s.unit
        zone = s.zone
        nodeID = s.nodeId
        lat = s.lat
        lon = s.lon
        minValue = s.min
        maxValue = s.max
        self.cadenceMs = cadenceMs
        balanceRole = roles.role(of: s.sensorId, zone: s.zone)
        zoneInlet = balanceRole == .inlet
        storageAreaM2 = roles.storage[s.sensorId] ?? 0
    }
}
