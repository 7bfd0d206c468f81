import Foundation
import Logging
import Mongo
import Testing
import WaterlineBus
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// A stage that records what the runtime asks of it. Its "log" is what the test
/// published: a catch-up hands the stage every item of the partition it has not seen.
final class RecordingStage: Stage, @unchecked Sendable {
    struct Call: Equatable, CustomStringConvertible {
        enum Kind: Equatable { case process, drop, catchUp(CatchUpReason) }
        var kind: Kind
        var partitions: Set<UInt32>
        var items: [String] = []
        var description: String { "\(kind) \(partitions.sorted()) \(items)" }
    }

    let name = "toy"
    private let lock = NSLock()
    private var _calls: [Call] = []
    /// Every reading published, by partition, as a log would hold it.
    private var log: [UInt32: [RawReading]] = [:]
    /// Seen per partition: what processing or a catch-up has covered.
    private var seen: [UInt32: Set<String>] = [:]
    /// Processing fails while set (the database is down, say).
    private var failing = false

    func setFailing(_ on: Bool) { lock.withLock { failing = on } }

    var calls: [Call] { lock.withLock { _calls } }

    func logged(_ readings: [RawReading], partition: UInt32) { lock.withLock { log[partition, default: []] += readings } }

    /// Every logged item, each handed to the stage at least once.
    func covered(_ partition: UInt32) -> Bool {
        lock.withLock { Set((log[partition] ?? []).map(\.sensorID)).isSubset(of: seen[partition] ?? []) }
    }


    func items(of batch: RawReadingBatch) -> [RawReading] { batch.readings }
    func receivedMs(of items: [RawReading]) -> Int64 { items.map(\.receivedMs).max() ?? 0 }

    func process(_ items: [RawReading]) async throws {
        struct Down: Error {}
        let partitions = Set(items.map { UInt32($0.sensorID.split(separator: "/")[0])! })
        let failing = lock.withLock {
            _calls.append(Call(kind: .process, partitions: partitions, items: items.map(\.sensorID)))
            if !self.failing { for r in items { seen[UInt32(r.sensorID.split(separator: "/")[0])!, default: []].insert(r.sensorID) } }
            return self.failing
        }
        if failing { throw Down() }
    }

    func idle() async throws {}

    func drop(_ partitions: Set<UInt32>) async {
        lock.withLock {
            _calls.append(Call(kind: .drop, partitions: partitions))
            for p in partitions { seen[p] = [] }
        }
    }

    func catchUp(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32> {
        lock.withLock {
            _calls.append(Call(kind: .catchUp(reason), partitions: partitions))
            for p in partitions { seen[p, default: []].formUnion((log[p] ?? []).map(\.sensorID)) }
        }
        return []
    }
}

/// The stage runtime's contract, tested once for every stage: real leases in SecantusDB,
/// a real ZeroMQ stream.
@Suite(.serialized, .timeLimit(.minutes(3))) struct StageRuntimeTests {
    static let partitions = 4

    struct Harness {
        let stage = RecordingStage()
        let publisher: StreamPublisher
        let runtime: StageRuntime<RecordingStage>
        let counters = ServiceCounters()
        let run: Task<Void, Never>
        private let sequences = SequenceCounter()
        private var next = 0

        init(_ client: MongoClient, member: String = "a", maxChunkItems: Int = 2_000) throws {
            publisher = try StreamPublisher(name: "toy", bind: "tcp://127.0.0.1:*")
            let subscriber = try StreamSubscriber(name: "toy", connect: [publisher.endpoint], topics: [], tickMs: 50)
            let leases = PartitionLeases(
                collection: client.collection(Collections.leases), group: "toy", member: member,
                partitions: StageRuntimeTests.partitions, ttlMs: 2_000, logger: Logger(label: "test"))
            runtime = StageRuntime(
                stage: stage, subscriber: subscriber, leases: leases, routing: .partitioned(topicPrefix: "raw."), counters: counters,
                logger: Logger(label: "test"), maxChunkItems: maxChunkItems)
            let runtime = self.runtime
            run = Task { await runtime.run() }
        }

        /// Publishes `count` readings on a partition (each named "<partition>/<n>"),
        /// logged first as ingest stores before it publishes; `skip` consumes a sequence
        /// number without sending (a message lost on the way).
        mutating func publish(_ partition: UInt32, count: Int = 1, publisher id: String = "up-1", skip: Bool = false) {
            var batch = RawReadingBatch()
            batch.partition = partition
            batch.publisherID = id
            batch.sequence = sequences.next("\(id)/\(partition)")
            for _ in 0..<count {
                var r = RawReading()
                r.sensorID = "\(partition)/\(next)"
                next += 1
                batch.readings.append(r)
            }
            stage.logged(batch.readings, partition: partition)
            if !skip { _ = try? publisher.publish(topic: "raw.\(partition)", batch) }
        }

        func until(_ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while !condition() {
                guard ContinuousClock.now < deadline else {
                    Issue.record("timed out waiting until \(what); calls: \(stage.calls)")
                    return
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }

        func stop() async {
            runtime.beginShutdown()
            await run.value
            await publisher.close()
        }
    }

    @Test func takenPartitionsAreCaughtUpThenLiveItemsProcessedInChunks() async throws {
        try await TestDatabase.withClient { client in
            var h = try Harness(client, maxChunkItems: 5)
            try await h.until("every partition is taken and caught up") {
                h.stage.calls.contains { $0.kind == .catchUp(.taken) } && h.runtime.ownership.isReady
                    && h.runtime.ownership.owned.count == Self.partitions
            }
            #expect(h.stage.calls.filter { $0.kind == .catchUp(.taken) }.reduce(Set()) { $0.union($1.partitions) } == [0, 1, 2, 3])
            // The subscription reaches the publisher a moment after the partitions are held.
            try await Task.sleep(for: .milliseconds(500))
            h.publish(1, count: 12)
            h.publish(2, count: 3)
            try await h.until("all 15 readings are processed") { h.stage.covered(1) && h.stage.covered(2) }
            let processed = h.stage.calls.filter { $0.kind == .process }
            // A chunk closes once it reaches the limit (after the 12), and each item comes once.
            #expect(processed.map(\.items.count).sorted() == [3, 12], "\(processed)")
            #expect(h.counters.snapshot["received"] == 15)
            await h.stop()
        }
    }

    @Test func aGapARestartAndANewPublisherUpstreamReplayThePartitionFromTheLog() async throws {
        try await TestDatabase.withClient { client in
            var h = try Harness(client)
            try await h.until("ready") { h.runtime.ownership.owned.count == Self.partitions }
            try await Task.sleep(for: .milliseconds(500))
            h.publish(0)
            try await h.until("the first reading is processed") { h.stage.covered(0) }

            // A lost message: the next one shows the gap, and is not processed ahead of it.
            h.publish(0, skip: true)
            h.publish(0)
            try await h.until("a stream replay of partition 0") { h.stage.calls.contains { $0.kind == .catchUp(.stream) } }
            let replay = h.stage.calls.firstIndex { $0.kind == .catchUp(.stream) }!
            #expect(h.stage.calls[replay - 1] == .init(kind: .drop, partitions: [0]), "dropped before it is rebuilt")
            #expect(h.stage.calls[replay].partitions == [0])
            #expect(h.stage.covered(0), "the lost reading came from the log")
            #expect(h.counters.snapshot["stream_gaps"] == 1)

            // Another publisher takes partition 0 over upstream.
            h.publish(0, publisher: "up-2")
            try await h.until("a replay for the handover") { h.stage.calls.count { $0.kind == .catchUp(.stream) } == 2 }
            #expect(h.counters.snapshot["upstream_handovers"] == 1)
            #expect(h.stage.covered(0))
            #expect(h.stage.calls.filter { $0.kind == .process }.allSatisfy { !$0.items.isEmpty })
            #expect(h.stage.calls.filter { $0.kind == .catchUp(.stream) }.allSatisfy { $0.partitions == [0] }, "the others are left alone")
            await h.stop()
        }
    }

    @Test func aFailedBatchIsReplayedFromTheLogAtTheNextTurn() async throws {
        try await TestDatabase.withClient { client in
            var h = try Harness(client)
            try await h.until("ready") { h.runtime.ownership.owned.count == Self.partitions }
            try await Task.sleep(for: .milliseconds(500))
            h.stage.setFailing(true)
            h.publish(3, count: 2)
            try await h.until("the batch was tried") { h.stage.calls.contains { $0.kind == .process } }
            h.stage.setFailing(false)
            // Any message or tick turns the loop; the failed partition is replayed.
            h.publish(2)
            try await h.until("a retry of partition 3") { h.stage.calls.contains { $0.kind == .catchUp(.retry) && $0.partitions == [3] } }
            try await h.until("everything covered") { h.stage.covered(3) && h.stage.covered(2) }
            #expect(h.counters.snapshot["errors"] == 1)
            await h.stop()
        }
    }

    @Test func replicasSplitThePartitionsAndAGracefulStopHandsItsShareOver() async throws {
        try await TestDatabase.withClient { client in
            var a = try Harness(client, member: "a")
            try await a.until("a holds all") { a.runtime.ownership.owned.count == Self.partitions }
            let b = try Harness(client, member: "b")
            try await b.until("the two split the partitions") {
                a.runtime.ownership.owned.count == 2 && b.runtime.ownership.owned.count == 2
            }
            #expect(a.runtime.ownership.owned.isDisjoint(with: b.runtime.ownership.owned))
            let given = b.runtime.ownership.owned
            let dropped = a.stage.calls.filter { $0.kind == .drop }.reduce(Set()) { $0.union($1.partitions) }
            #expect(given.isSubset(of: dropped), "a dropped what it gave up")
            // Only the owner handles a partition's items.
            try await Task.sleep(for: .milliseconds(500))
            let mine = a.runtime.ownership.owned.min()!
            a.publish(mine, count: 3)
            a.publish(given.min()!, count: 3)
            try await a.until("a processed its own") { a.stage.covered(mine) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(a.stage.calls.filter { $0.kind == .process }.allSatisfy { $0.partitions == [mine] })

            // b stops gracefully: its leases are freed when it has stopped (not left to
            // expire), and a takes them.
            await b.stop()
            #expect(try await PartitionLeases.holders(client.collection(Collections.leases), group: "toy")["b"] == nil)
            try await a.until("a holds all again") { a.runtime.ownership.owned.count == Self.partitions }
            await a.stop()
            #expect(try await PartitionLeases.holders(client.collection(Collections.leases), group: "toy").isEmpty)
        }
    }

    @Test func aMalformedMessageIsCountedAndTheStreamGoesOn() async throws {
        try await TestDatabase.withClient { client in
            var h = try Harness(client)
            try await h.until("ready") { h.runtime.ownership.owned.count == Self.partitions }
            try await Task.sleep(for: .milliseconds(500))
            _ = h.publisher.publish(topic: "raw.1", payload: [0xFF, 0xFF, 0xFF])
            h.publish(1)
            try await h.until("the good one is processed") { h.stage.covered(1) }
            #expect(h.counters.snapshot["malformed_messages"] == 1)
            await h.stop()
        }
    }
}
