import WaterlineKit
import WaterlineProto

/// Checks a sensor before it enters the registry.
public enum SensorValidator {
    public static func problem(with sensor: Sensor) -> String? {
        if sensor.sensorID.isEmpty { return "sensor_id is empty" }
        if sensor.sensorID.contains("|") { return "sensor_id may not contain '|'" }
        if sensor.sensorID.utf8.count > 128 { return "sensor_id is longer than 128 bytes" }
        if sensor.kind == .unspecified { return "kind must be pressure, flow, level or meter" }
        if sensor.zone.isEmpty { return "zone is empty" }
        if sensor.toCanonical == nil {
            let accepted = switch sensor.unitKind {
            case .pressure: "bar, kPa, psi or m (metres of head)"
            case .flow: "m3/h, L/s or gpm"
            default: "m"
            }
            return "unit '\(sensor.unit)' is not known for a \(sensor.kind.label) sensor; use \(accepted)"
        }
        if sensor.cadenceMs < 0 { return "cadence_ms must be positive" }
        if !(sensor.minValue < sensor.maxValue) { return "min (\(sensor.minValue)) must be below max (\(sensor.maxValue))" }
        switch sensor.balanceRole {
        case .inlet, .outlet:
            if sensor.kind != .flow { return "a zone \(sensor.balanceRole.label) must be a flow sensor, not \(sensor.kind.label)" }
        case .storage:
            if sensor.kind != .level { return "a zone's storage must be a tank level sensor, not \(sensor.kind.label)" }
            if !(sensor.storageAreaM2 > 0 && sensor.storageAreaM2.isFinite) {
                return "storage_area_m2 (the tank's cross-section) must be a positive number for a storage sensor"
            }
        case .unspecified, .UNRECOGNIZED: break
        }
        if !sensor.outletOfZone.isEmpty {
            if sensor.kind != .flow { return "outlet_of_zone is for flow sensors, not \(sensor.kind.label)" }
            if sensor.outletOfZone == sensor.zone { return "outlet_of_zone is the sensor's own zone; use balance_role outlet" }
        }
        if sensor.zoneInlet && sensor.balanceRole != .inlet && sensor.balanceRole != .unspecified {
            return "zone_inlet is set but balance_role is \(sensor.balanceRole.label)"
        }
        return nil
    }
}
