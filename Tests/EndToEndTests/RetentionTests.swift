import Foundation
import HistoryImport
import Simulation
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

/// Raw-reading retention against the running system: readings past the retention are
/// dropped by ingest's sweep; clean points, scores and rollups stay, and readings still
/// inside it are kept.
@Suite(.serialized) struct RetentionTests {
    @Test func rawReadingsPastTheRetentionAreDroppedAndTheCleanSeriesAndRollupsStay() async throws {
        let t = try await TestCluster.start(
            "retention", environment: ["WATERLINE_RAW_RETENTION_S": "20", "WATERLINE_RETENTION_SWEEP_S": "1"])
        defer { Task { await t.stop() } }
        // A day of the small scenario, a month ago, and a few readings of the last minutes.
        let scenario = smallScenario(days: 1)
        let ingest = try t.ingestClient(timeout: .seconds(30))
        defer { Task { await ingest.close() } }
        let replayer = Replayer(client: ingest)
        _ = try await replayer.registerSensors(of: scenario)
        let old = try await replayer.replay(scenario.readings, batchSize: 1000)
        #expect(old.rejected == 0)
        let sensor = scenario.sensors[0].sensorId
        let now = nowMs()
        var recent = SubmitReadingsRequest()
        recent.readings = (1...3).map { i in
            var r = Reading()
            r.sensorID = sensor
            r.tsMs = now - Int64(i) * 60_000
            r.value = 3
            return r
        }
        #expect(try await ingest.call(IngestRPC.submitReadings, recent).accepted == 3)
        let slots = expectedSlots(scenario)
        let (clean, _) = try await t.waitForDerivedSeries(slots: slots, timeout: .seconds(180))
        #expect(clean == slots)
        #expect(try await t.count(Collections.readings) == uniqueReadings(scenario) + 3)

        // Twenty seconds after they arrived, the old readings go; the recent ones stay.
        #expect(try await t.eventually(timeout: .seconds(90)) { try await t.count(Collections.readings) == 3 })
        #expect(try await t.count(Collections.clean) >= slots)
        #expect(try await t.count(Collections.scores) >= slots)
        let from = scenario.meta.startMs
        let to = scenario.readings.map(\.tsMs).max()!
        let series = try await t.http.get("/api/v1/sensors/\(sensor)/series?from=\(from)&to=\(to)&resolution=raw&limit=100000")
        #expect((series.json["raw"] as? [Any])?.isEmpty == true)
        #expect((series.json["clean"] as? [Any])?.count == Int(slotsPerSensor(scenario)))
        let hours = try await t.http.get("/api/v1/sensors/\(sensor)/series?from=\(from)&to=\(to)&resolution=1h")
        let summarised = (hours.json["rollups"] as? [[String: Any]] ?? []).reduce(0) { $0 + (($1["count"] as? Int) ?? 0) }
        #expect(summarised == Int(slotsPerSensor(scenario)))
    }
}
