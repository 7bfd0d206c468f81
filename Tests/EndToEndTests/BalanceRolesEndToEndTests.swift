import Foundation
import Testing
import WaterlineKit
import WaterlineTestSupport

/// Zone balance roles through the REST sensor import, ingest's checks and the registry:
/// an administrator registers an inlet, an outlet, a meter between two zones and a tank
/// with its area; the registry
/// serves them back; a tank without an area, or a pressure sensor as an inlet, is refused
/// with the reason.
@Suite(.serialized, .timeLimit(.minutes(10))) struct BalanceRolesEndToEndTests {
    @Test func theSensorImportRegistersEachSensorsPartInItsZonesBalance() async throws {
        let t = try await TestCluster.start("balance-roles")
        defer { Task { await t.stop() } }
        let csv = """
            sensor_id,kind,unit,zone,node_id,lat,lon,min,max
            in-1,flow,m3/h,east,P1,47.0,8.0,0,300
            out-1,flow,m3/h,east,P2,47.0,8.0,0,300
            tank-1,level,m,east,T1,47.0,8.0,0,6
            p-1,pressure,bar,east,J1,47.0,8.0,0,10
            pump-1,flow,m3/h,west,PU1,47.0,8.0,0,50

            """
        // pump-1 feeds west from east, metered once: west's inlet, east's outlet.
        let reply = try await t.http.post("/api/v1/sensors/import", json: [
            "csv": csv, "inlets": ["in-1", "pump-1"], "outlets": ["out-1", "pump-1@east"], "storage": ["tank-1": 201.06],
        ]).json
        #expect(reply["registered"] as? Int == 5, "\(reply)")
        let pump = try await t.http.get("/api/v1/sensors?zone=west").json["sensors"] as? [[String: Any]] ?? []
        #expect(pump.first?["balance_role"] as? String == "inlet")
        #expect(pump.first?["outlet_of_zone"] as? String == "east")
        let listed = try await t.http.get("/api/v1/sensors?zone=east").json["sensors"] as? [[String: Any]] ?? []
        var roles: [String: String] = [:]
        for s in listed { roles[s["sensor_id"] as? String ?? ""] = s["balance_role"] as? String }
        #expect(roles == ["in-1": "inlet", "out-1": "outlet", "tank-1": "storage", "p-1": ""])
        let tank = try #require(listed.first { $0["sensor_id"] as? String == "tank-1" })
        #expect(tank["storage_area_m2"] as? Double == 201.06)
        #expect(listed.first { $0["sensor_id"] as? String == "in-1" }?["zone_inlet"] as? Bool == true)

        // Refused with the reason, the others registered.
        let bad = try await t.http.post("/api/v1/sensors/import", json: [
            "csv": csv, "inlets": ["p-1"], "storage": ["tank-1": 0],
        ])
        #expect(bad.status == 422, "\(bad.text)")
        let refused = try await t.http.post("/api/v1/sensors/import", json: ["csv": csv, "inlets": ["p-1"]]).json
        let rejected = refused["rejected"] as? [[String: Any]] ?? []
        #expect(rejected.map { $0["sensor_id"] as? String } == ["p-1"])
        #expect((rejected.first?["reason"] as? String) == "a zone inlet must be a flow sensor, not pressure")
        await t.stop()
    }
}
