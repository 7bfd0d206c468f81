import Foundation
import HistoryImport
import Mongo
import Simulation
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// The database stops answering for 20 s in the middle of a replay: ingest refuses
/// batches with a clear status instead of buffering them, the replay client retries,
/// and once the database is back nothing acknowledged is missing and every series is
/// complete.
@Suite(.serialized, .timeLimit(.minutes(20))) struct DatabaseOutageTests {
    @Test func aDatabaseStoppedForTwentySecondsLosesNothingAcknowledged() async throws {
        let t = try await TestCluster.start("db-outage", environment: ["WATERLINE_INGEST_WRITE_TIMEOUT_MS": "2000"])
        defer { Task { await t.stop() } }
        let scenario = smallScenario(days: 2)
        let ingest = try t.ingestClient(timeout: .seconds(5))
        let replayer = Replayer(client: ingest, retryFor: .seconds(180))
        _ = try await replayer.registerSensors(of: scenario)
        let replay = Task { try await replayer.replay(scenario.readings, batchSize: 100, speed: Double(2 * 86_400_000) / 30_000) }

        try await Task.sleep(for: .seconds(6))
        t.cluster.freeze(.mongo, true)
        defer { t.cluster.freeze(.mongo, false) }
        let stoppedAt = ContinuousClock.now
        // A batch sent now is refused with a status that says why, not held.
        let probe = try t.ingestClient(timeout: .seconds(8))
        var refusals: [RPCError] = []
        while ContinuousClock.now - stoppedAt < .seconds(16) {
            // A reading already stored: wherever it lands, it is a duplicate.
            var request = SubmitReadingsRequest()
            var reading = Reading()
            let first = scenario.readings[0]
            reading.sensorID = first.sensorId
            reading.tsMs = first.tsMs
            reading.value = first.value
            request.readings = [reading]
            do throws(RPCError) {
                _ = try await probe.call(IngestRPC.submitReadings, request)
                Issue.record("a batch was acknowledged while the database was stopped")
            } catch {
                refusals.append(error)
            }
            try await Task.sleep(for: .seconds(1))
        }
        try await Task.sleep(until: stoppedAt + .seconds(20))
        t.cluster.freeze(.mongo, false)

        #expect(!refusals.isEmpty)
        #expect(refusals.allSatisfy { [.unavailable, .resourceExhausted].contains($0.code) }, "refusals: \(refusals)")
        #expect(refusals.contains { $0.message.contains("database") }, "refusals: \(refusals.map(\.message))")
        let stats = try await replay.value
        #expect(stats.retries > 0, "the replay client was never refused")
        #expect(stats.rejected == 0)
        try await expectCompleteSeries(t, scenario)
        await probe.close()
        await ingest.close()
        await t.stop()
    }
}
