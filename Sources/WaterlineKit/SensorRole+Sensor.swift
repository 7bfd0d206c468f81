import Detection
import WaterlineProto

extension SensorRole {
    /// What the detector takes a registered sensor for: its kind, and its part in its
    /// zone's water balance.
    public init(_ sensor: Sensor) {
        switch sensor.kind {
        case .pressure: self = .pressure
        case .flow:
            switch sensor.balanceRole {
            case .inlet: self = .inletFlow
            case .outlet: self = .outletFlow
            default: self = sensor.zoneInlet ? .inletFlow : .flow
            }
        // A tank in the zone's balance only with its area (ingest refuses one without).
        case .level: self = sensor.balanceRole == .storage && sensor.storageAreaM2 > 0 ? .storageLevel : .level
        case .meter: self = .meter
        default: self = .other
        }
    }
}

extension EventDetector {
    /// Tells the detector a registered sensor's zone and role, and, for a meter leaving
    /// another zone, that zone's outlet: before its first point, so a zone's balance waits
    /// for every member from its first step on.
    public mutating func register(_ sensor: Sensor) {
        register(sensorID: sensor.sensorID, zone: sensor.zone, role: SensorRole(sensor))
        if !sensor.outletOfZone.isEmpty { registerOutlet(sensorID: sensor.sensorID, ofZone: sensor.outletOfZone) }
    }
}
