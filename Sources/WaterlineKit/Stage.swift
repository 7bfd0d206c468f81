import Logging
import SwiftProtobuf
import WaterlineBus
import WaterlineProto

/// One step of the stream pipeline (preprocess, model, ...) as ``StageRuntime`` runs it.
/// The runtime owns the partition leases, the subscription, decoding, sequence gaps,
/// handovers, chunking and retries; a stage implements only its own work on the
/// partitions it holds.
///
/// The contract a stage keeps:
/// - **Deterministic**: its output depends on its input items and MongoDB's log only,
///   never on how they were batched or when they arrived.
/// - **Idempotent by key**: storing an item twice (a replay overlapping the stream) changes
///   nothing and publishes nothing twice.
/// - **Replayable**: ``catchUp(_:reason:shouldStop:)`` rebuilds a partition's state from
///   MongoDB and processes everything the stream may have missed, so after it the stage
///   holds what an undisturbed one would.
public protocol Stage: Sendable {
    /// A message of the input stream.
    associatedtype Batch: SwiftProtobuf.Message
    /// One input item of a batch.
    associatedtype Item: Sendable

    /// The service's name, for logs.
    var name: String { get }

    /// Where a batch comes from: its partition, publisher and sequence number.
    func header(of batch: Batch) -> StreamHeader
    /// The batch's items, in the order they were published.
    func items(of batch: Batch) -> [Item]
    /// When ingest received the newest of these items (epoch ms; 0: unknown), for lag.
    func receivedMs(of items: [Item]) -> Int64

    /// The items among `items` that belong to the `held` partitions, for a stage that
    /// reads the whole stream (``StageRuntime/Routing/wholeStream(topicPrefix:)``).
    func select(_ items: [Item], held: Set<UInt32>) async -> [Item]

    /// Processes live items of held partitions, in arrival order: compute, store, then
    /// publish. A throw leaves the items' partitions to be replayed from MongoDB.
    func process(_ items: [Item]) async throws
    /// Nothing arrived for a tick (time to emit what idle sensors still hold). Throw
    /// ``PartitionsFailed`` to have partitions replayed from the log.
    func idle() async throws
    /// Forgets everything held about these partitions: they were given up, or are about
    /// to be replayed.
    func drop(_ partitions: Set<UInt32>) async
    /// Rebuilds the partitions' state from MongoDB and processes what the stream may
    /// have missed, in bounded chunks, asking `shouldStop` between them (a stopping
    /// replica leaves the rest to the next owner). Returns the partitions that failed,
    /// which the runtime replays again later.
    func catchUp(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32>
    /// Replays partitions whose stream showed a gap or an upstream change, or whose
    /// processing failed. By default: everything held about them is dropped and they are
    /// caught up from the log, as if taken anew.
    func replay(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32>
}

extension Stage {
    /// A stage partitioned as its stream is gets only its partitions' batches.
    public func select(_ items: [Item], held: Set<UInt32>) async -> [Item] { items }

    public func replay(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32> {
        await drop(partitions)
        return await catchUp(partitions, reason: reason, shouldStop: shouldStop)
    }
}

/// A stream message that says where it comes from (every Waterline stream's batch does).
public protocol StreamBatch {
    var partition: UInt32 { get }
    var publisherID: String { get }
    var sequence: UInt64 { get }
}

extension RawReadingBatch: StreamBatch {}
extension CleanBatch: StreamBatch {}
extension ScoreBatch: StreamBatch {}

extension Stage where Batch: StreamBatch {
    public func header(of batch: Batch) -> StreamHeader {
        StreamHeader(partition: batch.partition, publisher: batch.publisherID, sequence: batch.sequence)
    }
}

/// Catches sensors up one by one, as stages do: stops early when `shouldStop` says so
/// (the rest is left to the partitions' next owner); a sensor whose catch-up throws is
/// passed to `failed` (to forget what it held) and its partition returned, to be
/// replayed again later.
public func catchUpSensors(
    _ sensors: [Sensor], stage: String, partitioner: Partitioner, logger: Logger, shouldStop: () -> Bool,
    failed: (Sensor) async -> Void, _ body: (Sensor) async throws -> Void
) async -> Set<UInt32> {
    var failures: Set<UInt32> = []
    for sensor in sensors {
        if shouldStop() {
            logger.info("\(stage): stopping; the rest of the catch-up is left to the partitions' next owner")
            break
        }
        do { try await body(sensor) } catch {
            await failed(sensor)
            failures.insert(partitioner.partition(of: sensor.sensorID))
            logger.error("\(stage): catch-up failed; tried again next", metadata: ["sensor": "\(sensor.sensorID)", "error": "\(error)"])
        }
    }
    return failures
}

/// Work on some partitions failed: the runtime replays them from the log at its next turn.
public struct PartitionsFailed: Error, CustomStringConvertible {
    public var partitions: Set<UInt32>
    public var underlying: any Error

    public init(_ partitions: Set<UInt32>, _ underlying: any Error) {
        self.partitions = partitions
        self.underlying = underlying
    }

    public var description: String { "\(underlying) (partitions \(partitions.sorted()))" }
}

/// Where a stream batch comes from.
public struct StreamHeader: Sendable, Equatable {
    public var partition: UInt32
    public var publisher: String
    public var sequence: UInt64

    public init(partition: UInt32, publisher: String, sequence: UInt64) {
        self.partition = partition
        self.publisher = publisher
        self.sequence = sequence
    }
}

/// Why a stage catches partitions up from MongoDB.
public enum CatchUpReason: Sendable, Equatable, CustomStringConvertible {
    /// Newly held (at start, or taken over from another replica).
    case taken
    /// The stream showed a gap, a new publisher upstream or a publisher's restart.
    case stream
    /// Processing or an earlier catch-up failed.
    case retry

    public var description: String {
        switch self {
        case .taken: "partitions taken"
        case .stream: "stream gap or upstream handover"
        case .retry: "retry after a failure"
        }
    }
}
