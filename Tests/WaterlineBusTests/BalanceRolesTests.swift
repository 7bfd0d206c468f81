import Foundation
import Mongo
import Simulation
import Testing
import WaterlineKit
import WaterlineProto

/// The zones' balance roles as a scenario gives them, into the registry and back.
@Suite struct BalanceRolesTests {
    /// L-Town's zones as its scenario.json lists them.
    static let zones: [ScenarioZone] = try! JSONDecoder().decode([ScenarioZone].self, from: Data(#"""
        [{"id": "A", "name": "Area A", "inlet_sensors": ["p227", "p235"], "outlet_sensors": ["PUMP_1"]},
         {"id": "B", "name": "Area B", "inlet_sensors": []},
         {"id": "C", "name": "Area C", "inlet_sensors": ["PUMP_1"], "storage_sensors": ["T1"], "tank_area_m2": 201.06}]
        """#.utf8))

    static func sensor(_ id: String, _ kind: String, zone: String) -> ScenarioSensor {
        ScenarioSensor(sensorId: id, kind: kind, unit: kind == "flow" ? "m3/h" : "m", zone: zone, nodeId: id, lat: 0, lon: 0, min: 0, max: 300)
    }

    @Test func aScenariosZonesGiveEachSensorItsRole() throws {
        let roles = BalanceRoles(zones: Self.zones)
        let p227 = Sensor(Self.sensor("p227", "flow", zone: "A"), cadenceMs: 300_000, roles: roles)
        #expect(p227.balanceRole == .inlet && p227.zoneInlet)
        // PUMP_1 sits in C: C's inlet. (A's balance does not count it yet.)
        let pump = Sensor(Self.sensor("PUMP_1", "flow", zone: "C"), cadenceMs: 300_000, roles: roles)
        #expect(pump.balanceRole == .inlet)
        let tank = Sensor(Self.sensor("T1", "level", zone: "C"), cadenceMs: 300_000, roles: roles)
        #expect(tank.balanceRole == .storage && tank.storageAreaM2 == 201.06 && !tank.zoneInlet)
        // An outlet of the zone it sits in.
        let export = Sensor(Self.sensor("PUMP_1", "flow", zone: "A"), cadenceMs: 300_000, roles: BalanceRoles(outlets: ["PUMP_1": "A"]))
        #expect(export.balanceRole == .outlet && !export.zoneInlet)
        let plain = Sensor(Self.sensor("n1", "pressure", zone: "B"), cadenceMs: 300_000, roles: roles)
        #expect(plain.balanceRole == .unspecified)
    }

    @Test func theRegistryKeepsTheRoleAndReadsOldEntriesAsInlets() {
        let roles = BalanceRoles(zones: Self.zones)
        let tank = Sensor(Self.sensor("T1", "level", zone: "C"), cadenceMs: 300_000, roles: roles)
        #expect(Sensor(document: tank.document) == tank)
        // An entry stored before balance roles: only zone_inlet.
        var old = tank.document
        old["balance_role"] = nil
        old["storage_area_m2"] = nil
        old["zone_inlet"] = .bool(true)
        #expect(Sensor(document: old).balanceRole == .inlet)
    }
}
