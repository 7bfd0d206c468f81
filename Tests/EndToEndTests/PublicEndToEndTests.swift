import Foundation
import HistoryImport
import Mongo
import Simulation
import Testing
import WaterlineCLI
import WaterlineKit
import WaterlineTestSupport

/// The live stream, and what the public may see and do, over the real services: a
/// watching page gets the burst and its sensor's scores as server-sent events; a visitor
/// sees the levels near a point and files reports (checked field by field, limited per
/// address) that corroborate the burst; the staff see and handle them.
@Suite(.serialized, .timeLimit(.minutes(20))) struct PublicEndToEndTests {
    @Test func theStreamCarriesTheBurstAndTheReportsCorroborateIt() async throws {
        let t = try await TestCluster.start("public", environment: ["WATERLINE_REPORTS_PER_HOUR": "6", "WATERLINE_LEVEL_LOOKUPS_PER_MINUTE": "10000"])
        defer { Task { await t.stop() } }
        let scenario = smallScenario()
        let burstLabel = try #require(scenario.labels.first { $0.type == "burst" })
        let zone = try #require(burstLabel.zone)
        let watched = try #require(scenario.sensors.first { $0.zone == zone && $0.kind == "pressure" })

        // A page watching before anything happens; nobody may watch without a token.
        let stream = try EventStreamClient(port: t.cluster.ports.http, path: "/api/v1/stream?sensor=\(watched.sensorId)&access_token=\(t.http.token ?? "")")
        defer { stream.close() }
        let stranger = try EventStreamClient(port: t.cluster.ports.http, path: "/api/v1/stream")
        defer { stranger.close() }
        #expect(try await t.eventually(timeout: .seconds(10)) { stream.frames.first?.event == "hello" && stranger.status != 0 })
        #expect(stranger.status == 401)

        let replayer = Replayer(client: try t.ingestClient(timeout: .seconds(5)))
        _ = try await replayer.registerSensors(of: scenario)
        _ = try await replayer.replay(scenario.readings, batchSize: 1000)
        var burstID = ""
        #expect(try await t.eventually(timeout: .seconds(240)) {
            let reply = try await t.http.get("/api/v1/events?type=burst&zone=\(zone)")
            burstID = ((reply.json["events"] as? [[String: Any]])?.first?["event_id"] as? String) ?? ""
            return !burstID.isEmpty
        })

        // Live: the burst as an `insight` frame, and the watched sensor's scores only.
        #expect(try await t.eventually(timeout: .seconds(30)) {
            stream.frames.contains { $0.event == "insight" && $0.json["event_id"] as? String == burstID && $0.json["type"] as? String == "burst" }
        })
        let scores = stream.frames.filter { $0.event == "score" }
        #expect(!scores.isEmpty && scores.allSatisfy { $0.json["sensor_id"] as? String == watched.sensorId && $0.json["forecast_mean"] is Double })

        // Levels near the tank: its level, and the area's pressure in plain words.
        let tank = try #require(scenario.sensors.first { $0.kind == "level" })
        // (503 while preprocess is still busy with the replay: the page tries again.)
        var levels = try await t.anonymous.get("/api/v1/public/levels?lat=\(tank.lat)&lon=\(tank.lon)&radius=800")
        _ = try await t.eventually(timeout: .seconds(60)) {
            levels = try await t.anonymous.get("/api/v1/public/levels?lat=\(tank.lat)&lon=\(tank.lon)&radius=800")
            return levels.status != 503
        }
        #expect(levels.status == 200, "\(levels.text)")
        let tanks = levels.json["tanks"] as? [[String: Any]] ?? []
        #expect(tanks.count == 1 && tanks.first?["name"] as? String == tank.nodeId && tanks.first?["level_m"] is Double, "\(levels.text)")
        let pressure = levels.json["pressure"] as? [String: Any] ?? [:]
        #expect(["normal", "low"].contains(pressure["status"] as? String ?? "") && (pressure["sensors"] as? Int ?? 0) > 0, "\(levels.text)")
        #expect(levels.json["events"] == nil && tanks.first?["sensor_id"] == nil)
        let nowhere = try await t.anonymous.get("/api/v1/public/levels?lat=10&lon=10")
        #expect((nowhere.json["tanks"] as? [Any])?.isEmpty == true && (nowhere.json["pressure"] as? [String: Any])?["status"] as? String == "unknown")
        for (query, field) in [("lat=abc&lon=4", "lat"), ("lat=52", "lon"), ("lat=52&lon=4&radius=999999", "radius")] {
            let bad = try await t.anonymous.get("/api/v1/public/levels?\(query)")
            #expect(bad.status == 422 && (bad.json["error"] as? [String: Any])?["field"] as? String == field, "\(query): \(bad.text)")
        }

        // Reports: six allowed from this address per hour, malformed ones included.
        let near = try #require(scenario.sensors.first { $0.zone == zone })
        func report(_ body: [String: Any]) async throws -> TestHTTP.Reply { try await t.anonymous.post("/api/v1/public/reports", json: body) }
        let good: [String: Any] = ["name": "Ann O'Neil", "locality": "Kerkstraat 5", "remark": "Water running down the street", "suspected_leak": true, "lat": near.lat + 0.001, "lon": near.lon]
        let filed = try await report(good)
        #expect(filed.status == 201 && filed.json["matched_events"] as? Int == 1, "\(filed.text)")
        for (change, field) in [(["name": "<b>Ann</b>"], "name"), (["lat": 200.0], "lat"), (["suspected_leak": "yes"], "suspected_leak")] as [([String: Any], String)] {
            let refused = try await report(good.merging(change) { _, new in new })
            let error = refused.json["error"] as? [String: Any]
            #expect(refused.status == 422 && error?["field"] as? String == field && (error?["message"] as? String)?.isEmpty == false, "\(field): \(refused.text)")
        }
        let byLocality = try await report(["name": "Piet", "locality": "the \(zone) district", "suspected_leak": false, "remark": "Low pressure since this morning"])
        #expect(byLocality.status == 201 && byLocality.json["matched_events"] as? Int == 1, "\(byLocality.text)")
        let farAway = try await report(["name": "Kim", "locality": "Elsewhere", "suspected_leak": true, "lat": 10.0, "lon": 10.0])
        #expect(farAway.status == 201 && farAway.json["matched_events"] as? Int == 0, "\(farAway.text)")
        let seventh = try await report(good)
        // The hour's window: the wait is the rest of it, said in the header and the message.
        let wait = Int(seventh.headers["retry-after"] ?? "") ?? 0
        #expect(seventh.status == 429 && wait > 3000 && wait <= 3600 && seventh.text.contains("\(wait) s"), "\(seventh.text)")

        // The burst says it is corroborated, on the REST API and live.
        let burst = try await t.http.get("/api/v1/events/\(burstID)")
        #expect(burst.json["public_reports"] as? Int == 2, "\(burst.text)")
        #expect((burst.json["history"] as? [[String: Any]] ?? []).filter { $0["action"] as? String == "public_report" }.count == 2)
        #expect(try await t.eventually(timeout: .seconds(10)) {
            stream.frames.contains { $0.event == "insight" && $0.json["event_id"] as? String == burstID && $0.json["public_reports"] as? Int == 2 }
        })

        // The staff see the reports and handle them; the public cannot.
        let listed = try await t.http.get("/api/v1/reports")
        let reports = listed.json["reports"] as? [[String: Any]] ?? []
        #expect(reports.count == 3, "\(listed.text)")
        let first = try #require(reports.first { $0["report_id"] as? String == filed.json["report_id"] as? String })
        #expect(first["event_ids"] as? [String] == [burstID] && first["status"] as? String == "new" && first["name"] as? String == "Ann O'Neil")
        let reviewed = try await t.http.post("/api/v1/reports/\(first["report_id"] as? String ?? "")/review", json: ["note": "crew confirmed"])
        #expect(reviewed.json["status"] as? String == "reviewed" && reviewed.json["handled_by"] as? String == t.operatorName, "\(reviewed.text)")
        #expect(try await t.http.get("/api/v1/reports?status=new").json["reports"].map { ($0 as? [Any])?.count } == 2)
        #expect(try await t.anonymous.get("/api/v1/reports").status == 401)

        // Levels come from one current point per sensor, always the newest.
        #expect(try await t.eventually(timeout: .seconds(60)) {
            let newest = try await t.series(Collections.clean)!.newest(tank.sensorId)?["ts_ms"]?.int64Value
            let current = try await t.mongo.collection(Collections.latestClean).findOne(["_id": .string(tank.sensorId)])?["ts_ms"]?.int64Value
            return newest != nil && current == newest
        })
        #expect(try await t.count(Collections.latestClean) == scenario.sensors.count)

        // A graceful stop ends the open stream first, and the gateway exits promptly.
        #expect(!stream.isFinished)
        t.cluster.signal(.gateway, SIGTERM)
        #expect(try await t.eventually(timeout: .seconds(15)) { stream.isFinished })
        #expect(await t.cluster.waitForExit(.gateway, timeout: .seconds(15)))
        #expect(t.cluster.exitStatus(.gateway) == 0)
    }
}
