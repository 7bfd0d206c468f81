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

/// SIGTERM of any service in the middle of a replay loses no acknowledged reading:
/// each service finishes what it has in flight, and after a restart the derived series
/// are complete, each point once.
@Suite(.serialized, .timeLimit(.minutes(20))) struct GracefulShutdownTests {
    @Test func sigtermOfEachServiceDuringAReplayLosesNothing() async throws {
        let t = try await TestCluster.start("sigterm")
        defer { Task { await t.stop() } }
        let scenario = smallScenario(days: 2)
        let ingest = try t.ingestClient(timeout: .seconds(2))
        let replayer = Replayer(client: ingest)
        _ = try await replayer.registerSensors(of: scenario)

        // About 20 s of replay: two days of scenario time.
        let speed = Double(2 * 86_400_000) / 20_000
        let replay = Task { try await replayer.replay(scenario.readings, batchSize: 100, speed: speed) }
        var exitStatuses: [String: Int32] = [:]
        for member in [LocalCluster.Member.ingest, .preprocess, .model, .insight, .gateway] {
            try await Task.sleep(for: .seconds(2))
            t.cluster.signal(member, SIGTERM)
            #expect(await t.cluster.waitForExit(member, timeout: .seconds(30)), "\(member) did not stop")
            exitStatuses[member.rawValue] = t.cluster.exitStatus(member) ?? -1
            try await t.cluster.startService(member)
        }
        let stats = try await replay.value
        #expect(exitStatuses.values.allSatisfy { $0 == 0 }, "exit statuses: \(exitStatuses)")
        #expect(stats.rejected == 0)

        let unique = uniqueReadings(scenario)
        #expect(try await t.count(Collections.readings) == unique)
        let slots = expectedSlots(scenario)
        let (clean, scores) = try await t.waitForDerivedSeries(slots: slots, timeout: .seconds(180))
        #expect(clean == slots && scores == slots, "clean \(clean), scores \(scores) of \(slots)")
        await ingest.close()
        await t.stop()
    }
}
