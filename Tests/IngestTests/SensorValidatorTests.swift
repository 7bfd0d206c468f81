import Ingest
import Testing
import WaterlineKit
import WaterlineProto

/// Ingest's checks of a sensor's part in its zone's water balance.
@Suite struct SensorValidatorTests {
    static func sensor(_ kind: SensorKind, _ role: BalanceRole, area: Double = 0) -> Sensor {
        var s = Sensor()
        s.sensorID = "s1"
        s.kind = kind
        s.unit = kind == .flow ? "m3/h" : "m"
        s.zone = "A"
        s.minValue = 0
        s.maxValue = 100
        s.balanceRole = role
        s.storageAreaM2 = area
        return s
    }

    @Test func balanceRolesFitTheSensorsKind() {
        #expect(SensorValidator.problem(with: Self.sensor(.flow, .inlet)) == nil)
        #expect(SensorValidator.problem(with: Self.sensor(.flow, .outlet)) == nil)
        #expect(SensorValidator.problem(with: Self.sensor(.level, .storage, area: 201.06)) == nil)
        #expect(SensorValidator.problem(with: Self.sensor(.pressure, .inlet)) == "a zone inlet must be a flow sensor, not pressure")
        #expect(SensorValidator.problem(with: Self.sensor(.flow, .storage, area: 10)) == "a zone's storage must be a tank level sensor, not flow")
        #expect(SensorValidator.problem(with: Self.sensor(.level, .storage))?.contains("storage_area_m2") == true)
        #expect(SensorValidator.problem(with: Self.sensor(.level, .storage, area: .nan))?.contains("storage_area_m2") == true)
        var both = Self.sensor(.flow, .outlet)
        both.zoneInlet = true
        #expect(SensorValidator.problem(with: both) == "zone_inlet is set but balance_role is outlet")
    }
}
