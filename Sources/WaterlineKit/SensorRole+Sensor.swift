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
