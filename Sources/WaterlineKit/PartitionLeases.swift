import Foundation
import Logging
import Mongo
import WaterlineBus

/// Claims, renews and hands over a service's partitions through leases in MongoDB, so
/// that replicas of a stateful service (preprocess, model; insight by zone) split the
/// sensors between them and a dead replica's share is taken over.
///
/// The `leases` collection holds, per group (the service):
/// - one document per partition, `_id: "<group>/p/<n>"`, with `owner` (an instance id, or
///   "" when free), `expires_ms` and `epoch`, which grows with every new owner (so a
///   replica can tell its old lease from one it lost and got back);
/// - one document per live member, `_id: "<group>/m/<instance>"`, with `expires_ms`.
///
/// Every tick (a third of the lease time) a replica renews its member document and its
/// leases, works out from the live members which partitions should be its own
/// (``PartitionAssignment``), claims free or expired ones of those with an atomic
/// find-and-modify, and gives up those that should now be another member's. A replica
/// that dies stops renewing: its member document and leases expire together, and the
/// others claim its partitions on their next tick.
///
/// The consumer (the service's stream loop) learns of changes through ``takeChanges()``
/// between batches and confirms a handover with ``confirmReleased(_:)`` once it has
/// stopped working on the partitions; only then is the lease freed, so two replicas
/// never work on one partition on purpose.
public final class PartitionLeases: Sendable {
    /// Partitions gained (restore state and replay from MongoDB) and lost (drop their
    /// state; confirm with ``confirmReleased(_:)``).
    public struct Changes: Sendable, Equatable {
        public var gained: Set<UInt32> = []
        public var lost: Set<UInt32> = []
        public var isEmpty: Bool { gained.isEmpty && lost.isEmpty }
    }

    /// What the keeper knows, for the Stats RPC and logs.
    public struct Snapshot: Sendable {
        public var owned: [UInt32]
        /// When each owned partition was claimed (epoch ms).
        public var heldSince: [UInt32: Int64]
        public var members: Int
        public var claims: Int
        public var handovers: Int
        public var expired: Int
    }

    private struct Held {
        var epoch: Int64
        /// Local deadline: past it, without a renewal, the lease may be someone else's.
        var validUntilMs: Int64
        var sinceMs: Int64
        var releasing = false
    }

    private struct State {
        var held: [UInt32: Held] = [:]
        var pending = Changes()
        var confirmed: Set<UInt32> = []
        var members = 0
        var claims = 0
        var handovers = 0
        var expired = 0
        var ticks = 0
        var stopped = false
        /// The partition documents exist (made once, retried until they are).
        var documentsMade = false
        /// Whether ``run()``'s loop is going (``stop()`` waits for it to end).
        var running = false
    }

    public let group: String
    public let member: String
    public let partitions: Int
    public let ttlMs: Int64
    private let collection: MongoCollection
    private let logger: Logger
    private let state = Locked(State())
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation

    public init(collection: MongoCollection, group: String, member: String, partitions: Int, ttlMs: Int64, logger: Logger) {
        precondition(ttlMs >= 300, "lease time too short")
        self.collection = collection
        self.group = group
        self.member = member
        self.partitions = partitions
        self.ttlMs = ttlMs
        self.logger = logger
        (wake, wakeContinuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public var tickMs: Int64 { max(100, ttlMs / 3) }

    /// How long before a lease's expiry in MongoDB this replica stops counting on it
    /// (another may claim it from the expiry on). Small: a busy replica whose renewals
    /// are late drops and restores every partition it holds, which a loaded database
    /// then feels (seen in the demo with a third of the lease time).
    var localMarginMs: Int64 { min(1_000, ttlMs / 10) }

    /// Whether a round of claims has completed (the first partitions are known).
    public var hasTicked: Bool { state.withLock { $0.ticks > 0 } }

    /// Ticks until ``stop()`` (or until its task is cancelled). A tick that fails (database unreachable) is logged and
    /// retried on the next; leases not renewed in time are reported lost.
    public func run() async {
        guard state.withLock({ s -> Bool in
            guard !s.stopped && !s.running else { return false }
            s.running = true
            return true
        }) else { return }
        defer { state.withLock { $0.running = false } }
        var iterator = wake.makeAsyncIterator()
        // Cancelling the task ends the loop without freeing anything, as a crash would.
        while !state.withLock({ $0.stopped }) && !Task.isCancelled {
            // Ticks keep their cadence when the database is slow: the pause is what is left
            // of the tick time (a tenth of it at least, so a slow database is not hammered).
            // A pause of a whole tick after a slow one delayed takeovers by seconds on two
            // busy cores (a 12.5 s takeover of 4 s leases beside a CPU hog).
            let tickStart = ContinuousClock.now
            var pause = tickMs
            do {
                try await tick()
                state.withLock { $0.ticks += 1 }
                let took = ContinuousClock.now - tickStart
                pause = max(tickMs / 10, tickMs - Int64(took.totalMilliseconds))
            } catch {
                // Soon again: the leases' local deadline leaves about one more try.
                pause = tickMs / 4
                logger.warning("leases: tick failed", metadata: ["group": "\(group)", "error": "\(error)"])
            }
            // Woken by the timer or early by a confirmed handover; a timer cancelled
            // because of the latter must not wake the next round too.
            let sleeper = Task {
                guard (try? await Task.sleep(for: .milliseconds(pause))) != nil else { return }
                wakeContinuation.yield()
            }
            _ = await iterator.next()
            sleeper.cancel()
        }
    }

    /// The partitions gained and lost since the last call. Leases whose renewal is
    /// overdue are reported lost here, before the keeper has even heard from MongoDB.
    public func takeChanges() -> Changes {
        let now = nowMs()
        return state.withLock { s in
            for (partition, held) in s.held where held.validUntilMs < now && !held.releasing {
                s.held.removeValue(forKey: partition)
                s.pending.lost.insert(partition)
                s.pending.gained.remove(partition)
                s.expired += 1
            }
            let changes = s.pending
            s.pending = Changes()
            return changes
        }
    }

    /// The consumer has stopped working on these partitions: their leases are freed
    /// now (on the next tick), so the new owner need not wait for them to expire.
    public func confirmReleased(_ partitions: Set<UInt32>) {
        // (Partitions lost rather than handed over need nothing freed: the tick skips
        // them, whatever their state by then.)
        guard !partitions.isEmpty else { return }
        state.withLock { $0.confirmed.formUnion(partitions) }
        wakeContinuation.yield()
    }

    public var snapshot: Snapshot {
        state.withLock { s in
            let kept = s.held.filter { !$0.value.releasing }
            return Snapshot(
                owned: kept.keys.sorted(), heldSince: kept.mapValues(\.sinceMs), members: s.members, claims: s.claims,
                handovers: s.handovers, expired: s.expired)
        }
    }

    /// Frees every lease and leaves the group, so the others take over at once (a
    /// graceful stop or scale-down). Best effort: what fails expires instead.
    public func stop() async {
        state.withLock { $0.stopped = true }
        wakeContinuation.yield()
        // A tick in flight could claim again after the leases were freed: wait for the
        // loop to end first (for up to 2 s: a stop must stay well within a supervisor's
        // grace period; a tick stuck on a slow database leaves the leases to expire).
        let deadline = ContinuousClock.now + .milliseconds(min(ttlMs, 2_000))
        while state.withLock({ $0.running }) {
            guard ContinuousClock.now < deadline else {
                logger.warning("leases: a tick is still waiting for the database; the leases expire instead")
                return
            }
            try? await Task.sleep(for: .milliseconds(20))
        }
        let held = state.withLock { s -> [UInt32: Held] in
            defer { s.held = [:] }
            return s.held
        }
        do {
            try await free(held.map { ($0.key, $0.value.epoch) })
            _ = try await collection.bulkWrite([.deleteMany(filter: ["_id": .string(memberID)])])
            logger.info("leases: left the group, \(held.count) partitions freed", metadata: ["group": "\(group)"])
        } catch {
            logger.warning("leases: leaving the group failed; the leases expire instead", metadata: ["error": "\(error)"])
        }
    }

    /// Partitions held (unexpired) per replica in a group, as the `leases` collection
    /// says (for tools and tests; a replica's own view is ``snapshot``).
    public static func holders(_ collection: MongoCollection, group: String) async throws -> [String: Int] {
        let now = nowMs()
        var owners: [String: Int] = [:]
        for lease in try await collection.find(["group": .string(group), "partition": ["$exists": true]]) {
            guard let owner = lease["owner"]?.stringValue, !owner.isEmpty, (lease["expires_ms"]?.int64Value ?? 0) > now else { continue }
            owners[owner, default: 0] += 1
        }
        return owners
    }

    // MARK: Tick

    private var memberID: String { "\(group)/m/\(member)" }
    private func partitionID(_ p: UInt32) -> String { "\(group)/p/\(p)" }

    /// The partition documents exist before anyone claims, so a claim is a plain
    /// conditional update (two replicas racing to insert would need duplicate-key
    /// handling instead).
    private func ensurePartitionDocuments() async throws {
        guard !state.withLock({ $0.documentsMade }) else { return }
        let documents: [Document] = (0..<UInt32(partitions)).map { p in
            ["_id": .string(partitionID(p)), "group": .string(group), "partition": .int64(Int64(p)),
             "owner": "", "expires_ms": .int64(0), "epoch": .int64(0)]
        }
        // Existing ones are duplicates, which is what a second replica expects.
        _ = try await collection.insertMany(documents, ordered: false).checked("create leases")
        state.withLock { $0.documentsMade = true }
    }

    private func tick() async throws {
        try await ensurePartitionDocuments()
        let started = nowMs()
        let expires = started + ttlMs
        // 1. Membership: this replica is alive.
        _ = try await collection.bulkWrite([
            .updateOne(
                filter: ["_id": .string(memberID)],
                update: ["$set": ["group": .string(group), "member": .string(member), "expires_ms": .int64(expires)]],
                upsert: true)
        ])
        let documents = try await collection.find(["group": .string(group)])
        try await forgetLongDeadMembers(documents, now: started)
        let members = documents.compactMap { d -> String? in
            guard let m = d["member"]?.stringValue, (d["expires_ms"]?.int64Value ?? 0) > started else { return nil }
            return m
        }
        let desired = PartitionAssignment.owners(partitions: partitions, members: members + [member])
        var leases: [UInt32: (owner: String, expires: Int64, epoch: Int64)] = [:]
        for d in documents {
            guard d["member"] == nil, let p = d["partition"]?.int64Value, p >= 0, p < partitions else { continue }
            leases[UInt32(p)] = (d["owner"]?.stringValue ?? "", d["expires_ms"]?.int64Value ?? 0, d["epoch"]?.int64Value ?? 0)
        }

        // 2. Leases lost (taken by another after they expired) and handovers to start.
        let confirmed = state.withLock { s -> [(UInt32, Int64)] in
            s.members = Set(members + [member]).count
            var done: [(UInt32, Int64)] = []
            // Only handovers are freed: a partition lost meanwhile and claimed again is held.
            for p in s.confirmed where s.held[p]?.releasing == true { done.append((p, s.held.removeValue(forKey: p)!.epoch)) }
            s.confirmed = []
            for (p, held) in s.held {
                let lease = leases[p]
                if lease?.owner != member || lease?.epoch != held.epoch {
                    s.held.removeValue(forKey: p)
                    s.expired += 1
                    if !held.releasing { s.pending.lost.insert(p); s.pending.gained.remove(p) }
                } else if desired[Int(p)] != member && !held.releasing {
                    s.held[p]!.releasing = true
                    s.handovers += 1
                    s.pending.lost.insert(p)
                    s.pending.gained.remove(p)
                }
            }
            return done
        }
        try await free(confirmed)

        // 3. Renew what is held (including handovers not yet confirmed), in one write:
        // every lease still in this replica's name (one lost to another is not).
        let held = state.withLock { $0.held }
        if !held.isEmpty {
            _ = try await collection.bulkWrite([
                .updateMany(
                    filter: [
                        "group": .string(group), "owner": .string(member),
                        "partition": ["$in": .array(held.keys.sorted().map { .int64(Int64($0)) })],
                    ],
                    update: ["$set": ["expires_ms": .int64(expires)]])
            ])
            state.withLock { s in for p in held.keys where s.held[p] != nil { s.held[p]!.validUntilMs = expires - localMarginMs } }
        }

        // 4. Claim what should be this replica's and is free or expired.
        let now = nowMs()
        for p in 0..<UInt32(partitions) where desired[Int(p)] == member && held[p] == nil {
            if state.withLock({ $0.stopped }) { return }
            if let lease = leases[p], lease.owner != "" && lease.expires > now && lease.owner != member { continue }
            let claimed = try await collection.findOneAndUpdate(
                filter: [
                    "_id": .string(partitionID(p)),
                    "$or": [["owner": ""], ["expires_ms": ["$lte": .int64(now)]], ["owner": .string(member)]],
                ],
                update: [
                    "$set": ["owner": .string(member), "expires_ms": .int64(now + ttlMs), "claimed_ms": .int64(now)],
                    "$inc": ["epoch": .int64(1)],
                ])
            guard let claimed, let epoch = claimed["epoch"]?.int64Value else { continue }
            let previous = leases[p]?.owner ?? ""
            state.withLock { s in
                s.held[p] = Held(epoch: epoch, validUntilMs: now + ttlMs - localMarginMs, sinceMs: now)
                s.pending.gained.insert(p)
                s.claims += 1
            }
            logger.debug("leases: claimed", metadata: ["group": "\(group)", "partition": "\(p)", "from": "\(previous)"])
        }
    }

    /// Removes member documents that expired long ago (replicas gone for good), so the
    /// group's documents do not grow with every restart.
    private func forgetLongDeadMembers(_ documents: [Document], now: Int64) async throws {
        let longAgo = now - 20 * ttlMs
        let dead = documents.filter { $0["member"] != nil && ($0["expires_ms"]?.int64Value ?? 0) < longAgo }
        guard !dead.isEmpty else { return }
        _ = try await collection.bulkWrite(dead.compactMap { $0["_id"] }.map { .deleteMany(filter: ["_id": $0]) })
    }

    /// Frees leases this replica holds with the given epochs.
    private func free(_ leases: [(UInt32, Int64)]) async throws {
        guard !leases.isEmpty else { return }
        let writes: [MongoCollection.WriteModel] = leases.map { p, epoch in
            .updateOne(
                filter: ["_id": .string(partitionID(p)), "owner": .string(member), "epoch": .int64(epoch)],
                update: ["$set": ["owner": "", "expires_ms": .int64(0)]], upsert: false)
        }
        _ = try await collection.bulkWrite(writes, ordered: false)
    }
}
