import Foundation
import Mongo
import Simulation
import SwiftProtobuf
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport
import ZeroMQ

/// Bad input gets a clear error and loses nothing valid; the service keeps serving.
@Suite(.serialized, .timeLimit(.minutes(20))) struct BadInputTests {
    @Test func everyKindOfBadInputIsRejectedWithAReason() async throws {
        let t = try await TestCluster.start(
            "bad-input", environment: ["WATERLINE_MAX_BODY_BYTES": "65536", "WATERLINE_RPC_TIMEOUT_MS": "1000"])
        defer { Task { await t.stop() } }
        let scenario = smallScenario(days: 1)
        let ingest = try t.ingestClient(timeout: .seconds(5))

        // The registry is loaded from a scenario's sensors.csv by the CLI.
        try ScenarioFolder.write(scenario, to: t.directory)
        let cli = Process()
        cli.executableURL = TestEnvironment.binDirectory.appendingPathComponent("waterline")
        cli.arguments = ["sensors", "import", t.directory.appendingPathComponent("sensors.csv").path, "--ingest", t.cluster.ingestRPC]
        cli.standardOutput = FileHandle.nullDevice
        try cli.run()
        while cli.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(cli.terminationStatus == 0)
        #expect(try await t.count(Collections.sensors) == scenario.sensors.count)
        #expect(try await t.count(Collections.sensors, ["zone_inlet": true]) == scenario.meta.zones.count)
        let good = scenario.readings[0]

        // A malformed protobuf frame.
        let malformed = try await ingest.rawCall(IngestRPC.submitReadings.name, payload: [0x0A, 0xFF, 0x01], timeout: .seconds(5))
        #expect(malformed.status == .invalidArgument)
        #expect(malformed.error?.message.contains("not a valid waterline.v1.SubmitReadingsRequest") == true)

        // An unknown RPC method.
        let unknown = try await ingest.rawCall("/waterline.v1.IngestService/DropTables", payload: [], timeout: .seconds(5))
        #expect(unknown.status == .unimplemented)
        #expect(unknown.error?.message.contains("DropTables") == true)

        // NaN, an unknown sensor and a timestamp two days ahead, next to a valid reading.
        func reading(_ id: String, _ ts: Int64, _ value: Double) -> Reading {
            var r = Reading()
            r.sensorID = id
            r.tsMs = ts
            r.value = value
            return r
        }
        // ...and a reading in a unit that is no unit of its sensor's kind.
        var batch = SubmitReadingsRequest()
        var wrongUnit = reading(good.sensorId, good.tsMs + 120_000, 1)
        wrongUnit.unit = "furlongs"
        batch.readings = [
            reading(good.sensorId, good.tsMs, good.value),
            reading(good.sensorId, good.tsMs + 60_000, .nan),
            reading("no-such-sensor", good.tsMs, 1),
            reading(good.sensorId, nowMs() + 2 * 86_400_000, 1),
            wrongUnit,
        ]
        let reply = try await ingest.call(IngestRPC.submitReadings, batch)
        #expect(reply.accepted == 1)
        #expect(reply.rejected.map(\.index) == [1, 2, 3, 4])
        #expect(reply.rejected.map(\.reason) == [.notFinite, .unknownSensor, .futureTimestamp, .unknownUnit])
        #expect(reply.rejected.allSatisfy { !$0.detail.isEmpty })
        #expect(try await t.count(Collections.readings) == 1)
        let letters = try await t.mongo.collection(Collections.deadLetters).find([:], sort: ["index": 1])
        #expect(letters.compactMap { $0["reason"]?.stringValue } == ["not_finite", "unknown_sensor", "future_timestamp", "unknown_unit"])

        // An oversized REST body.
        let big = Data(repeating: 0x20, count: 100_000)
        let tooLarge = try await t.http.post("/api/v1/readings", raw: big)
        #expect(tooLarge.status == 413)
        #expect((tooLarge.json["error"] as? [String: Any])?["code"] as? String == "body_too_large")

        // Malformed JSON.
        let broken = try await t.http.post("/api/v1/readings", raw: Data(#"{"readings": [ {"sensor_id": "#.utf8))
        #expect(broken.status == 400)
        #expect(((broken.json["error"] as? [String: Any])?["message"] as? String)?.contains("not valid JSON") == true)

        // A field of the wrong type is named.
        let wrongType = try await t.http.post("/api/v1/readings", json: ["readings": [["sensor_id": good.sensorId, "ts_ms": good.tsMs, "value": "high"]]])
        #expect(wrongType.status == 422)
        #expect((wrongType.json["error"] as? [String: Any])?["field"] as? String == "readings[0].value")

        // A mixed batch over REST: the valid reading is stored, the other rejected with its reason.
        let mixed = try await t.http.post("/api/v1/readings", json: ["readings": [
            ["sensor_id": good.sensorId, "ts_ms": good.tsMs + 120_000, "value": 3.1],
            ["sensor_id": "ghost", "ts_ms": good.tsMs, "value": 3.1],
        ]])
        #expect(mixed.status == 207)
        #expect(mixed.json["accepted"] as? Int == 1)
        #expect(((mixed.json["rejected"] as? [[String: Any]])?.first?["reason"] as? String) == "unknown_sensor")
        #expect(try await t.count(Collections.readings) == 2)

        // Unknown event: a clear 404. Bad query parameter: 422.
        #expect(try await t.http.get("/api/v1/events/nope").status == 404)
        #expect(try await t.http.get("/api/v1/events?from=yesterday").status == 422)

        // The PULL socket for devices: a malformed message becomes a dead letter with its
        // reason, a valid batch is stored.
        let push = try SocketWorker(name: "e2e-push", type: .push, configure: { [endpoint = t.cluster.ingestPull] in try $0.connect(endpoint) })
        #expect(push.send([[0x0A, 0xFF, 0x01]]))
        var pushed = SubmitReadingsRequest()
        pushed.source = "device-7"
        pushed.readings = [reading(good.sensorId, good.tsMs + 180_000, 3.3)]
        #expect(push.send([try pushed.serializedBytes()]))
        let pulled = try await t.eventually(timeout: .seconds(20)) {
            let stored = try await t.count(Collections.readings)
            let letters = try await t.count(Collections.deadLetters, ["reason": "malformed_message"])
            return stored == 3 && letters == 1
        }
        #expect(pulled, "the PULL socket did not store the valid batch and dead-letter the malformed one")
        await push.stop()

        // Units: an unknown unit is refused at registration; a psi sensor's readings are
        // cleaned in bar.
        func sensor(_ id: String, _ kind: SensorKind, _ unit: String, max: Double) -> Sensor {
            var s = Sensor()
            s.sensorID = id
            s.kind = kind
            s.unit = unit
            s.zone = "north"
            s.maxValue = max
            s.cadenceMs = 60_000
            return s
        }
        var sensors = RegisterSensorsRequest()
        sensors.sensors = [sensor("odd-1", .level, "furlongs", max: 10), sensor("psi-1", .pressure, "psi", max: 200)]
        let registered = try await ingest.call(IngestRPC.registerSensors, sensors)
        #expect(registered.registered == 1)
        #expect(registered.rejected.first?.reason.contains("unit 'furlongs'") == true)
        var psiBatch = SubmitReadingsRequest()
        psiBatch.readings = (0..<4).map { reading("psi-1", good.tsMs + Int64($0) * 60_000, 50) }
        #expect(try await ingest.call(IngestRPC.submitReadings, psiBatch).accepted == 4)
        let converted = try await t.eventually(timeout: .seconds(20)) {
            try await t.count(Collections.clean, ["sensor_id": "psi-1"]) == 4
        }
        #expect(converted)
        let point = try await t.series(Collections.clean)!.find("psi-1", from: 0, to: Int64.max / 2).first
        let bar = try #require(point?["value"]?.doubleValue)
        #expect(abs(bar - 50 * 0.068_947_572_9) < 1e-9)

        // Everyone is still serving.
        let health = try await t.http.get("/api/v1/health")
        #expect(health.status == 200)
        #expect(health.json["status"] as? String == "ok")

        // A service that is down: 503 with Retry-After, and health says which one.
        t.cluster.signal(.insight, SIGTERM)
        #expect(await t.cluster.waitForExit(.insight))
        let unavailable = try await t.http.get("/api/v1/events")
        #expect(unavailable.status == 503)
        #expect(unavailable.headers["retry-after"] == "1")
        #expect(((unavailable.json["error"] as? [String: Any])?["message"] as? String)?.contains("insight unavailable") == true)
        let degraded = try await t.http.get("/api/v1/health")
        #expect(degraded.status == 503)
        let states = (degraded.json["services"] as? [[String: Any]])?.map { "\($0["service"] ?? "")=\($0["status"] ?? "")" }
        #expect(states?.contains("insight=UNREACHABLE") == true)
        await ingest.close()
        await t.stop()
    }
}
