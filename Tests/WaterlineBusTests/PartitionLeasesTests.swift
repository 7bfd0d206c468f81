import Foundation
import Logging
import Mongo
import Testing
import WaterlineBus
import WaterlineKit
import WaterlineTestSupport

/// Leases against a real database (SecantusDB): replicas in one process, each with its
/// own keeper, as separate processes would have.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PartitionLeasesTests {
    static let ttl: Int64 = 2000

    private func keeper(_ client: MongoClient, _ member: String, partitions: Int = 12) -> PartitionLeases {
        PartitionLeases(
            collection: client.collection(Collections.leases), group: "test", member: member, partitions: partitions,
            ttlMs: Self.ttl, logger: Logger(label: "test"))
    }

    /// Runs the keepers, collecting what each consumer was told, until `done` holds.
    private func waitUntil(
        _ keepers: [PartitionLeases], owned: inout [String: Set<UInt32>], timeout: Duration = .seconds(20),
        _ done: ([String: Set<UInt32>]) -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for k in keepers {
                let changes = k.takeChanges()
                owned[k.member, default: []].subtract(changes.lost)
                owned[k.member, default: []].formUnion(changes.gained)
                k.confirmReleased(changes.lost)
            }
            if done(owned) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test func replicasSplitThePartitionsAndALeavingOneHandsItsShareOver() async throws {
        try await TestDatabase.withClient { client in
            let (a, b) = (keeper(client, "a"), keeper(client, "b"))
            let runA = Task { await a.run() }
            var owned: [String: Set<UInt32>] = [:]
            #expect(try await waitUntil([a], owned: &owned) { $0["a"]?.count == 12 })
            let runB = Task { await b.run() }
            // Split, disjoint, complete.
            let split = try await waitUntil([a, b], owned: &owned) { o in
                o["a", default: []].count == 6 && o["b", default: []].count == 6 && o["a"]!.isDisjoint(with: o["b"]!)
            }
            #expect(split, "owned: \(owned)")
            // b leaves gracefully: a has everything again without waiting for expiry.
            let left = ContinuousClock.now
            await b.stop()
            await runB.value
            owned["b"] = []
            #expect(try await waitUntil([a], owned: &owned) { $0["a"]?.count == 12 })
            #expect(ContinuousClock.now - left < .milliseconds(Int64(Self.ttl)), "took \(ContinuousClock.now - left)")
            await a.stop()
            await runA.value
        }
    }

    @Test func aReplicaThatStopsRenewingLosesItsLeasesToTheOthersAfterTheLeaseTime() async throws {
        try await TestDatabase.withClient { client in
            let (a, b) = (keeper(client, "a"), keeper(client, "b"))
            let runA = Task { await a.run() }
            let runB = Task { await b.run() }
            var owned: [String: Set<UInt32>] = [:]
            let split = try await waitUntil([a, b], owned: &owned) { $0["a", default: []].count == 6 && $0["b", default: []].count == 6 }
            #expect(split)
            // b "dies": its loop ends without freeing anything.
            runB.cancel()
            await runB.value
            let died = ContinuousClock.now
            owned["b"] = []
            let takenOver = try await waitUntil([a], owned: &owned) { $0["a"]?.count == 12 }
            #expect(takenOver)
            let took = ContinuousClock.now - died
            #expect(took >= .milliseconds(Int64(Self.ttl) / 2), "taken over before the leases could have expired: \(took)")
            // b's own consumer is told it lost them too (its renewals are overdue).
            let lostByB = b.takeChanges().lost
            #expect(lostByB.count == 6, "b lost \(lostByB)")
            await a.stop()
            await runA.value
        }
    }
}
