import Foundation
import Logging
import WaterlineBus

/// Runs a ``Stage`` on the partitions this replica holds: takes up lease changes (the
/// partitions lost are dropped before their leases are freed; those gained are
/// subscribed, then caught up from MongoDB), decodes the stream, replays a partition from
/// MongoDB when its stream shows a gap, a new publisher upstream or a publisher's restart,
/// hands the stage live items in bounded chunks in arrival order, and replays the
/// partitions whose processing failed. The one copy of this loop for every stage.
public final class StageRuntime<S: Stage>: Sendable {
    /// How the input stream's partitions relate to the stage's.
    public enum Routing: Sendable, Equatable {
        /// The stream is partitioned as the stage is (`<prefix><partition>` topics): a
        /// replica subscribes to the partitions it holds.
        case partitioned(topicPrefix: String)
        /// The stage's partitions are not the stream's (insight holds zones, the score
        /// stream is partitioned by sensor): a replica reads the whole stream, follows
        /// every stream partition's sequence, and ``Stage/select(_:held:)`` picks the
        /// items of the partitions it holds. A gap anywhere replays every held partition.
        case wholeStream(topicPrefix: String)
    }

    public let stage: S
    public let routing: Routing
    public let ownership: OwnedPartitions
    private let subscriber: StreamSubscriber
    private let counters: ServiceCounters
    private let logger: Logger
    /// The most items handed to the stage at once. A backlog is worked off in chunks in
    /// arrival order, so the items of different sensors never leave far out of step
    /// (downstream, a sensor hours behind its zone looks silent).
    public let maxChunkItems: Int
    /// Set at a graceful stop: a catch-up in progress is left to the partitions' next
    /// owner (which catches up from MongoDB anyway), so stopping never waits for it.
    private let stopping = Locked(false)
    /// Partitions whose processing or catch-up failed: replayed at the loop's next turn.
    private let failed = Locked<Set<UInt32>>([])

    /// - Parameters:
    ///   - subscriber: subscribed to nothing yet; its topics follow the partitions held.
    ///   - routing: how the stream's partitions map to the stage's.
    public init(
        stage: S, subscriber: StreamSubscriber, leases: PartitionLeases, routing: Routing, counters: ServiceCounters,
        logger: Logger, maxChunkItems: Int = 2_000
    ) {
        self.stage = stage
        self.routing = routing
        self.subscriber = subscriber
        self.counters = counters
        self.logger = logger
        self.maxChunkItems = maxChunkItems
        switch routing {
        case .partitioned(let prefix):
            ownership = OwnedPartitions(leases: leases, subscriber: subscriber, topicPrefix: prefix)
        case .wholeStream(let prefix):
            ownership = OwnedPartitions(leases: leases, subscriber: subscriber, topicPrefix: nil)
            subscriber.subscribe([prefix])
        }
    }

    /// Keeps the leases and works the stream until the subscriber is closed; then frees
    /// the leases, so the other replicas take the partitions at once.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.ownership.leases.run() }
            group.addTask {
                await self.consume()
                await self.ownership.leases.stop()
            }
        }
    }

    /// A graceful stop: the batch in hand is finished, a catch-up is cut short.
    public func beginShutdown() {
        stopping.withLock { $0 = true }
        Task { await subscriber.close() }
    }

    private var isStopping: Bool { stopping.value }

    private func consume() async {
        while true {
            await ownership.follow(drop: { await self.giveUp($0) }, restore: { await self.take($0) })
            let again = failed.withLock { set -> Set<UInt32> in
                defer { set = [] }
                return set
            }.intersection(ownership.owned)
            if !again.isEmpty && !isStopping { await replay(again, reason: .retry) }
            guard let messages = await subscriber.nextBatch() else { return }
            if messages.isEmpty {
                do { try await stage.idle() } catch {
                    counters.add("errors")
                    if let failure = error as? PartitionsFailed { failed.withLock { $0.formUnion(failure.partitions) } }
                    logger.error("\(stage.name): idle work failed; replayed from MongoDB next", metadata: ["error": "\(error)"])
                }
                continue
            }
            var chunk: [S.Item] = []
            var chunkPartitions: Set<UInt32> = []
            var replays: Set<UInt32> = []
            let wholeStream = if case .wholeStream = routing { true } else { false }
            for message in messages {
                guard let batch = try? S.Batch(serializedBytes: message.payload) else {
                    counters.add("malformed_messages")
                    continue
                }
                let header = stage.header(of: batch)
                let replay: OwnedPartitions.Replay?
                if wholeStream {
                    replay = ownership.observe(partition: header.partition, publisher: header.publisher, sequence: header.sequence)
                } else {
                    let accepted = ownership.accept(partition: header.partition, publisher: header.publisher, sequence: header.sequence)
                    guard accepted.mine else { continue }
                    replay = accepted.replay
                }
                var items = stage.items(of: batch)
                if let replay, !replays.contains(header.partition) {
                    logger.warning("\(stage.name): stream \(replay), replaying from MongoDB", metadata: ["partition": "\(header.partition)"])
                    counters.add(replay.counterName)
                    replays.insert(header.partition)
                }
                // A partition to replay is read back from MongoDB whole, after this batch:
                // what came now is there too, and must not get ahead of what was missed.
                // So is a partition whose processing failed (below): its later items
                // would be stored past the hole, where its replay would resume.
                if replays.contains(header.partition) { continue }
                if wholeStream {
                    items = await stage.select(items, held: ownership.owned.subtracting(failed.value))
                    if items.isEmpty { continue }
                } else {
                    if failed.value.contains(header.partition) { continue }
                    ownership.handled(header.partition, count: items.count, receivedMs: stage.receivedMs(of: items))
                }
                chunk += items
                chunkPartitions.formUnion(wholeStream ? ownership.owned : [header.partition])
                if chunk.count >= maxChunkItems {
                    await process(chunk, of: chunkPartitions)
                    chunk = []
                    chunkPartitions = []
                }
            }
            await process(chunk, of: chunkPartitions)
            if !replays.isEmpty {
                // Whole stream: which held partitions the lost items belonged to is unknown.
                await replay(wholeStream ? ownership.owned : replays, reason: .stream)
            }
        }
    }

    private func process(_ items: [S.Item], of partitions: Set<UInt32>) async {
        guard !items.isEmpty else { return }
        counters.add("received", items.count)
        do { try await stage.process(items) } catch {
            counters.add("errors")
            failed.withLock { $0.formUnion(partitions) }
            logger.error("\(stage.name): processing failed; the partitions are replayed from MongoDB next", metadata: [
                "partitions": "\(partitions.sorted())", "error": "\(error)",
            ])
        }
    }

    /// What was missed is older than what the stage holds: it replays them (by default,
    /// rebuilt from the log).
    private func replay(_ partitions: Set<UInt32>, reason: CatchUpReason) async {
        let failures = await stage.replay(partitions, reason: reason, shouldStop: { [stopping] in stopping.value })
        if !failures.isEmpty { failed.withLock { $0.formUnion(failures) } }
    }

    private func catchUp(_ partitions: Set<UInt32>, reason: CatchUpReason) async {
        let failures = await stage.catchUp(partitions, reason: reason, shouldStop: { [stopping] in stopping.value })
        if !failures.isEmpty { failed.withLock { $0.formUnion(failures) } }
    }

    private func giveUp(_ partitions: Set<UInt32>) async {
        await stage.drop(partitions)
        logger.info("\(stage.name): gave up \(partitions.count) partitions", metadata: ["owned": "\(ownership.owned.count)"])
    }

    private func take(_ partitions: Set<UInt32>) async {
        logger.info("\(stage.name): took \(partitions.count) partitions", metadata: ["owned": "\(ownership.owned.count)"])
        await catchUp(partitions, reason: .taken)
    }
}
