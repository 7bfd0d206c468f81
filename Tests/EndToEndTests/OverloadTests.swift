import Foundation
import HistoryImport
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// A real cluster on a machine with one core kept busy, fed by a client whose deadline
/// is shorter than the database's latency: every first attempt times out while its
/// write goes on. The system must still acknowledge batch after batch (each resend
/// joins its write or gets its answer), lose nothing it acknowledged and count nothing
/// twice. Runs with the fault tests (make test-faults), after the rest of the suite.
@Suite(.serialized, .timeLimit(.minutes(20))) struct OverloadTests {
    @Test func underACPUHogWithDeadlinesShorterThanTheDatabaseAcknowledgementsKeepComing() async throws {
        let t = try await TestCluster.start("overload")
        defer { Task { await t.stop() } }
        let scenario = smallScenario(days: 3)
        let register = try t.ingestClient(timeout: .seconds(30))
        _ = try await Replayer(client: register).registerSensors(of: scenario)
        await register.close()

        let hog = try CPUHog()
        defer { hog.stop() }
        // 60 ms: a batch of 500 readings takes the database longer than that to store,
        // so the deadline passes on the first attempt of every batch (checked below).
        let ingest = try t.ingestClient(timeout: .milliseconds(60))
        let stats = try await Replayer(client: ingest, retryFor: .seconds(600)).replay(scenario.readings, batchSize: 500)
        await ingest.close()
        hog.stop()

        #expect(stats.timeouts > 0, "no call timed out: the deadline was not shorter than the database's latency")
        #expect(stats.rejected == 0)
        // Nothing acknowledged and lost, nothing doubled: the database holds every
        // reading once, every reading sent was acknowledged as new or as a duplicate,
        // and none was acknowledged as new twice. (A batch whose first answer was lost
        // and which is then resent after its write ended counts as duplicates.)
        let unique = uniqueReadings(scenario)
        #expect(try await t.count(Collections.readings) == unique)
        #expect(stats.accepted + stats.duplicates == stats.sent)
        #expect(stats.accepted - stats.conflicts <= unique, "accepted \(stats.accepted), conflicts \(stats.conflicts), unique \(unique)")
        // Acknowledged batches kept coming.
        #expect(stats.longestStall <= .seconds(10), "no batch acknowledged for \(stats.longestStall)")

        // Ingest shed the abandoned work instead of doing it twice.
        let reply = try await t.ingestClient(timeout: .seconds(30)).call(IngestRPC.stats, StatsRequest())
        let joined = reply.counters["resends_joined", default: 0] + reply.counters["resends_answered_again", default: 0]
        #expect(joined > 0, "counters: \(reply.counters)")
    }
}
