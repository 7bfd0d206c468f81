import Foundation
import WaterlineBus
import WaterlineProto

/// The partitions a replica works on, as its stream loop sees them. Between batches
/// the loop calls ``follow(drop:restore:)``: partitions whose lease went elsewhere are
/// unsubscribed and their state dropped before the lease is freed; partitions gained
/// are subscribed, then restored and replayed from MongoDB. Per message, ``accept``
/// says whether it is this replica's, and whether the loop must replay the partition
/// from MongoDB (a sequence gap, or a new publisher upstream after a handover there).
public final class OwnedPartitions: Sendable {
    /// Why a partition is replayed from the log.
    public enum Replay: Sendable, Equatable, CustomStringConvertible {
        case gap(SequenceGap)
        case handover(publisher: String)
        case restart(publisher: String)

        /// The service counter it adds to.
        public var counterName: String {
            switch self {
            case .gap: "stream_gaps"
            case .handover: "upstream_handovers"
            case .restart: "upstream_restarts"
            }
        }

        public var description: String {
            switch self {
            case .gap(let gap): "gap (\(gap))"
            case .handover(let publisher): "handover to publisher \(publisher)"
            case .restart(let publisher): "restart of publisher \(publisher)"
            }
        }
    }

    public let leases: PartitionLeases
    private let subscriber: StreamSubscriber
    /// Nil: the subscription does not follow the partitions (the whole stream is read).
    private let topicPrefix: String?
    private let active = Locked<Set<UInt32>>([])
    private let sequences = Locked(SequenceGapDetector())
    private let progress = Locked<[UInt32: (lagMs: Int64, handled: UInt64)]>([:])
    private let ready = Locked(false)
    /// Time for a new subscription to reach the publishers before the log is read, so
    /// nothing published in between is missed (libzmq does not acknowledge it).
    private let settle: Duration

    /// - Parameter topicPrefix: the stream's topic before the partition, e.g. `raw.`; nil
    ///   when the stream is not partitioned as the leases are (the whole of it is read).
    public init(leases: PartitionLeases, subscriber: StreamSubscriber, topicPrefix: String?, settle: Duration = .milliseconds(300)) {
        self.leases = leases
        self.subscriber = subscriber
        self.topicPrefix = topicPrefix
        self.settle = settle
    }

    public var owned: Set<UInt32> { active.value }

    /// Whether the first partitions have been taken and restored: until then the
    /// replica answers its health check NOT_SERVING (a start-up still catching up).
    public var isReady: Bool { ready.value }

    public func owns(_ partition: UInt32) -> Bool { active.withLock { $0.contains(partition) } }

    /// Takes up the lease changes. `drop` must forget the partitions' state (their
    /// leases are freed when it returns); `restore` rebuilds the gained ones from MongoDB.
    public func follow(drop: (Set<UInt32>) async -> Void, restore: (Set<UInt32>) async -> Void) async {
        let ticked = leases.hasTicked
        defer { if ticked { ready.withLock { $0 = true } } }
        let changes = leases.takeChanges()
        if !changes.lost.isEmpty {
            active.withLock { $0.subtract(changes.lost) }
            if let topicPrefix { subscriber.unsubscribe(changes.lost.map { topicPrefix + String($0) }) }
            await drop(changes.lost)
            leases.confirmReleased(changes.lost)
        }
        if !changes.gained.isEmpty {
            active.withLock { $0.formUnion(changes.gained) }
            if let topicPrefix {
                sequences.withLock { s in for p in changes.gained { s.reset(key: String(p)) } }
                subscriber.subscribe(changes.gained.map { topicPrefix + String($0) })
                try? await Task.sleep(for: settle)
            }
            await restore(changes.gained)
        }
    }

    /// Records work done for a partition: `count` items, the newest received by ingest
    /// at `receivedMs` (0: unknown), for the Stats RPC's per-partition lag.
    public func handled(_ partition: UInt32, count: Int, receivedMs: Int64) {
        let lag = receivedMs > 0 ? max(0, nowMs() - receivedMs) : -1
        progress.withLock { p in
            let before = p[partition] ?? (-1, 0)
            p[partition] = (lag >= 0 ? lag : before.lagMs, before.handled + UInt64(count))
        }
    }

    /// The held partitions with their lag, for the Stats RPC.
    public var stats: [PartitionStats] {
        let snapshot = leases.snapshot
        let progress = self.progress.value
        return owned.sorted().map { p in
            var s = PartitionStats()
            s.partition = p
            s.lagMs = max(0, progress[p]?.lagMs ?? 0)
            s.handled = progress[p]?.handled ?? 0
            s.heldSinceMs = snapshot.heldSince[p] ?? 0
            return s
        }
    }

    /// Whether a message of `partition` is this replica's to handle, and whether the
    /// partition must be replayed from MongoDB.
    public func accept(partition: UInt32, publisher: String, sequence: UInt64) -> (mine: Bool, replay: Replay?) {
        guard owns(partition) else { return (false, nil) }
        return (true, observe(partition: partition, publisher: publisher, sequence: sequence))
    }

    /// Follows a stream partition's sequence whoever holds it (a stage that reads the
    /// whole stream): whether what came before must be replayed from MongoDB.
    public func observe(partition: UInt32, publisher: String, sequence: UInt64) -> Replay? {
        let key = String(partition)
        return sequences.withLock { s in
            let handover = s.isHandover(publisher: publisher, key: key)
            let restart = s.isRestart(publisher: publisher, key: key, sequence: sequence)
            let gap = s.observe(publisher: publisher, key: key, sequence: sequence)
            if let gap { return .gap(gap) }
            if restart { return .restart(publisher: publisher) }
            return handover ? .handover(publisher: publisher) : nil
        }
    }
}
