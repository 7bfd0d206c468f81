import Simulation
import WaterlineProto

extension Sensor {
    /// The registry entry for a scenario's sensor.
    public init(_ s: ScenarioSensor, cadenceMs: Int64, inlets: Set<String>) {
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
        zoneInlet = inlets.contains(s.sensorId)
    }
}
