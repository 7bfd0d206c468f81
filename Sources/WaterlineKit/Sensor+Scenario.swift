import Detection
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

    /// Marks outlets (the CLI's and the REST import's lists): `id` is an outlet of the zone it
    /// sits in among `sensors`, `id@zone` one of another zone (a meter between two zones,
    /// metered once, whose own zone counts it as an inlet).
    public mutating func addOutlets(_ entries: [String], of sensors: [ScenarioSensor]) {
        let zoneOf = Dictionary(sensors.map { ($0.sensorId, $0.zone) }) { first, _ in first }
        for entry in entries {
            let parts = entry.split(separator: "@", maxSplits: 1).map(String.init)
            outlets[parts[0]] = parts.count == 2 ? parts[1] : zoneOf[parts[0]] ?? ""
        }
    }

    /// A sensor's role in the balance of the zone it sits in. A meter that is one zone's
    /// outlet and another's inlet (L-Town's PUMP_1, in zone C) is the inlet of the zone it
    /// sits in and the outlet of the other (`outletOfZone`).
    public func role(of id: String, zone: String) -> BalanceRole {
        if inlets.contains(id) { return .inlet }
        if outlets[id] == zone { return .outlet }
        if storage[id] != nil { return .storage }
        return .unspecified
    }

    /// The other zone a sensor takes water out of, or "".
    public func outletOfZone(_ id: String, zone: String) -> String {
        guard let other = outlets[id], other != zone else { return "" }
        return other
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
        outletOfZone = roles.outletOfZone(s.sensorId, zone: s.zone)
    }
}

extension BalanceGroups {
    /// The groups of the registered sensors' zones: each meter between two zones joins them.
    public init<S: Sequence>(_ sensors: S) where S.Element == Sensor {
        self.init(links: sensors.filter { !$0.outletOfZone.isEmpty }.map { (zone: $0.zone, outletOf: $0.outletOfZone) })
    }
}
