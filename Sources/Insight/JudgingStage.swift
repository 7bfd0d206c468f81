import Detection
import Foundation
import Logging
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Insight's stage: judges the scores of the zones it holds (zone partitions, leased like
/// the other stages' partitions) into events.
///
/// The unit of all of it is a zone's *balance group*: zones joined by a meter between them
/// (L-Town's PUMP_1, area A's outlet and area C's inlet) are held, ordered, saved and
/// rebuilt together, since one zone's balance reads the other's meter; a zone on its own
/// is its own group (`BalanceGroups`, from the registry).
///
/// Every group's scores go through a `ZoneSlotGate`, so the detector sees them in one
/// order whatever their batching or arrival. Every `checkpointEveryMs` of a group's data
/// time, its zones' detector states are saved in `insight_checkpoints` with the time they
/// are judged up to (after the events they produced are stored). A replica that takes a
/// group — at start, on takeover, after a stream gap or a failure — restores the
/// checkpoint and replays the group's scores stored since, so it holds what an undisturbed
/// replica would.
struct JudgingStage: Stage {
    let name = "insight"
    let zonePartitioner: Partitioner
    let sensors: SensorDirectory
    let book: EventBook
    let store: EventStore
    let gate: Locked<ZoneSlotGate>
    let scores: SeriesStore
    let checkpoints: ZoneCheckpoints
    /// Data time between a zone's checkpoints...
    let checkpointEveryMs: Int64
    /// ... and wall time at least: a replay or catch-up runs through days of data in
    /// seconds, and a checkpoint per hour of it would load the database for nothing.
    let checkpointMinIntervalMs: Int64
    /// Without a checkpoint, a zone is rebuilt from this much data time of scores before
    /// its newest (the learning window).
    let rebuildMs: Int64
    let counters: ServiceCounters
    let logger: Logger
    /// Each group's last checkpoint: its data time, and when it was saved (wall clock).
    let lastCheckpoint = Locked<[String: (frontierMs: Int64, savedMs: Int64)]>([:])
    /// Per sensor, the newest of its scores judged from the database (a zone's rebuild or
    /// a gap's refill): the stream's copies of scores up to it were judged already.
    let readBackThrough = Locked<[String: Int64]>([:])
    /// How many registered sensors the gate has been told of: when the registry has grown
    /// (a lookup miss or a takeover reloads it), every zone waits for its new sensors.
    let gateKnows = Locked(0)
    /// The zones whose registry roster the event book's detector has been told (forgotten
    /// with the zone, and all of them when the registry changes): told once, not per batch.
    let rosterTold = Locked<Set<String>>([])

    func items(of batch: ScoreBatch) -> [Score] { batch.scores }
    func receivedMs(of items: [Score]) -> Int64 { 0 }

    /// The registered zones' balance groups, as the registry stands.
    private var groups: BalanceGroups { sensors.balanceGroups }

    /// The partition of a group (named by its smallest zone, so a zone on its own keeps
    /// the partition of its name).
    func groupPartition(_ group: String) -> UInt32 { zonePartitioner.partition(of: group) }

    /// The scores of the groups held (by the zone the model stored with each score).
    func select(_ items: [Score], held: Set<UInt32>) async -> [Score] {
        let groups = groups
        return items.filter { held.contains(groupPartition(groups.group(of: $0.zone))) }
    }

    func process(_ items: [Score]) async throws {
        // Events follow the live series: a corrected score (a spike judged, a late
        // reading) updates the stored score, not an event already raised or passed.
        let revisions = items.count { $0.revision > 1 }
        counters.add("revisions_not_judged", revisions)
        try await judge(items.filter { $0.revision <= 1 })
    }

    /// Nothing arrived for a tick: a zone waiting for a sensor that has gone quiet moves on.
    func idle() async throws { try await judge([]) }

    /// Judges scores: through the gate, then the detector; stores and publishes what
    /// changed, then saves the checkpoints that are due.
    private func judge(_ scores: [Score]) async throws {
        let known = scores.isEmpty ? [:] : await sensors.lookup(Set(scores.map(\.sensorID)))
        // Sensors registered since the gate last heard: their zones wait for them from now
        // on, so a zone's first slot is not judged on the first of its sensors to report
        // (that slot would then differ from a replay's).
        let registered = sensors.count
        let joined = gateKnows.withLock { told in
            defer { told = registered }
            return told != registered ? sensors.all : []
        }
        if !joined.isEmpty { rosterTold.withLock { $0 = [] } }
        let offered = scores.compactMap { s -> ScoredPoint? in
            guard let sensor = known[s.sensorID] else { return nil }
            return ScoredPoint(score: s, sensor: sensor)
        }
        let groups = groups
        counters.add("unknown_sensors", scores.count - offered.count)
        let now = nowMs()
        let readBack = readBackThrough.withLock { $0 }
        let (points, behind, duplicates) = gate.withLock { gate in
            // A sensor that moved zones is moved by `add` (its point carries the new zone).
            for sensor in joined { gate.register(sensorID: sensor.sensorID, zone: groups.group(of: sensor.zone)) }
            var behind = 0
            var duplicates = 0
            for point in offered {
                switch gate.add(point, nowMs: now, group: groups.group(of: point.zone)) {
                case .held: break
                case .duplicate: duplicates += 1
                case .behind:
                    if point.tsMs <= readBack[point.sensorID] ?? .min { duplicates += 1 } else { behind += 1 }
                }
            }
            return (gate.release(nowMs: now), behind, duplicates)
        }
        // Judged without them: their zone's slot had passed (WATERLINE_INSIGHT_ZONE_LATENESS_MS).
        // Judged already: read back from the database (a rebuild or a refill) and then
        // offered again by the stream.
        counters.add("late_scores", behind)
        counters.add("duplicate_scores", duplicates)
        guard !points.isEmpty else { return }
        counters.add("judged", points.count)
        let untold = rosterTold.withLock { told in
            let untold = Set(points.map(\.zone)).subtracting(told)
            told.formUnion(untold)
            return untold
        }
        if !untold.isEmpty {
            await book.register(sensors.all.filter { untold.contains($0.zone) || untold.contains($0.outletOfZone) })
        }
        let changes = await book.observe(points, sensors: known)
        let stored = try await store.storeDetected(changes)
        for event in stored { await book.refresh(event) }
        try await saveCheckpoints(groups: Set(points.map { groups.group(of: $0.zone) }))
    }

    /// Saves the groups' states whose data time has passed their next checkpoint (with
    /// `force`, every one that moved since its last).
    private func saveCheckpoints(groups names: Set<String>, force: Bool = false) async throws {
        // Derived only once a checkpoint is due: this runs after every judged batch.
        var zonesOf: [String: [String]]?
        for group in names.sorted() {
            guard let frontier = gate.withLock({ $0.frontierMs(zone: group) }) else { continue }
            if let last = lastCheckpoint.withLock({ $0[group] }) {
                let moved = frontier - last.frontierMs
                let due = force ? moved > 0 : moved >= checkpointEveryMs && nowMs() - last.savedMs >= checkpointMinIntervalMs
                if !due { continue }
            }
            if zonesOf == nil { zonesOf = zonesByGroup() }
            var states: [EventDetector.ZoneState] = []
            for zone in zonesOf?[group] ?? [group] { states.append(await book.state(ofZone: zone)) }
            try await checkpoints.save(group: group, states: states, frontierMs: frontier)
            lastCheckpoint.withLock { $0[group] = (frontier, nowMs()) }
            counters.add("checkpoints_saved")
        }
    }

    /// The registered zones of each group, in id order.
    private func zonesByGroup() -> [String: [String]] {
        let groups = groups
        return Dictionary(grouping: Set(sensors.all.map(\.zone)).sorted(), by: groups.group(of:))
    }

    /// The groups held in the partitions, with their zones.
    private func groups(in partitions: Set<UInt32>) -> [(group: String, zones: [String])] {
        zonesByGroup().filter { partitions.contains(groupPartition($0.key)) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The registered sensors of the zones.
    private func members(of zones: [String]) -> [Sensor] {
        let zones = Set(zones)
        return sensors.all.filter { zones.contains($0.zone) }
    }

    func drop(_ partitions: Set<UInt32>) async {
        let held = groups(in: partitions)
        let zones = held.flatMap(\.zones)
        for zone in zones {
            await book.forget(zone: zone)
            store.forget(zone: zone)
            _ = rosterTold.withLock { $0.remove(zone) }
        }
        lastCheckpoint.withLock { last in for (group, _) in held { last[group] = nil } }
        let members = Set(members(of: zones).map(\.sensorID))
        readBackThrough.withLock { $0 = $0.filter { !members.contains($0.key) } }
        gate.withLock { $0.forget(zones: Set(held.map(\.group))) }
    }

    /// A gap or an upstream change in the score stream: the scores it may have lost are
    /// newer than the group's judged time (a group waits for every sensor's next score, and
    /// the batch that shows the gap is left to this), so each held group reads its sensors'
    /// scores after it from `scores` and offers them to its gate, where the ones already
    /// held are duplicates. Far cheaper than a rebuild, which a failure still gets.
    func replay(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32> {
        guard reason == .stream else {
            await drop(partitions)
            return await catchUp(partitions, reason: reason, shouldStop: shouldStop)
        }
        var failed: Set<UInt32> = []
        var rebuild: Set<UInt32> = []
        for (group, zones) in groups(in: partitions) {
            guard let frontier = gate.withLock({ $0.frontierMs(zone: group) }) else {
                rebuild.insert(groupPartition(group))  // nothing judged yet: from the start
                continue
            }
            do {
                let missed = try await storedScores(of: members(of: zones), after: frontier, through: Int64.max / 2)
                try await process(missed)
                readBack(missed)
                counters.add("scores_refilled", missed.count)
            } catch {
                failed.insert(groupPartition(group))
                logger.error("insight: reading missed scores failed; the zones are rebuilt next", metadata: ["zones": "\(zones)", "error": "\(error)"])
            }
        }
        if !rebuild.isEmpty {
            await drop(rebuild)
            failed.formUnion(await catchUp(rebuild, reason: reason, shouldStop: shouldStop))
        }
        return failed
    }

    /// Remembers the newest of each sensor's scores judged from the database.
    private func readBack(_ scores: [Score]) {
        guard !scores.isEmpty else { return }
        readBackThrough.withLock { through in
            for s in scores { through[s.sensorID] = max(through[s.sensorID] ?? s.tsMs, s.tsMs) }
        }
    }

    /// The sensors' stored scores in (after, through], in time order: each sensor's in
    /// ranged reads of its buckets, as the stream first carried them (revision 1:
    /// corrections are not judged live either).
    private func storedScores(of members: [Sensor], after: Int64, through: Int64) async throws -> [Score] {
        var all: [Score] = []
        for m in members {
            var start = after + 1
            while true {
                let documents = try await scores.find(m.sensorID, from: start, to: through, limit: Self.replayPage)
                all += documents.map(Score.init(firstRevisionOf:))
                guard documents.count == Self.replayPage, let last = all.last else { break }
                start = last.tsMs + 1
            }
        }
        return all.sorted { ($0.tsMs, $0.sensorID) < ($1.tsMs, $1.sensorID) }
    }

    func catchUp(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32> {
        if reason == .taken { try? await sensors.load() }  // sensors registered since the start
        var failed: Set<UInt32> = []
        for (group, zones) in groups(in: partitions) {
            if shouldStop() {
                logger.info("insight: stopping; the rest of the rebuild is left to the zones' next owner")
                break
            }
            let started = ContinuousClock.now
            do {
                let replayed = try await rebuild(group: group, zones: zones)
                logger.info("insight: zones rebuilt (\(reason))", metadata: [
                    "zones": "\(zones.joined(separator: ","))", "scores_replayed": "\(replayed.scores)",
                    "from_checkpoint": "\(replayed.fromCheckpoint)", "took": "\(ContinuousClock.now - started)",
                ])
            } catch {
                failed.insert(groupPartition(group))
                counters.add("errors")
                logger.error("insight: rebuilding zones failed; tried again next", metadata: ["zones": "\(zones)", "error": "\(error)"])
            }
        }
        return failed
    }

    /// Restores a group's zones from its checkpoint (if any) and replays the scores stored
    /// since, in time order, through the gate and the detector.
    private func rebuild(group: String, zones: [String]) async throws -> (scores: Int, fromCheckpoint: Bool) {
        for zone in zones {
            await book.forget(zone: zone)
            store.forget(zone: zone)
            _ = rosterTold.withLock { $0.remove(zone) }
        }
        gate.withLock { $0.forget(zones: [group]) }
        let members = members(of: zones)
        gate.withLock { g in for m in members { g.register(sensorID: m.sensorID, zone: group) } }
        // A checkpoint of other zones than the group has now (the registry joined or split
        // groups since) is not used: the zones are rebuilt from their scores.
        let checkpoint = try await checkpoints.load(group: group).flatMap { Set($0.states.map(\.zone)) == Set(zones) ? $0 : nil }
        let (from, all): (Int64, [Score])
        if let checkpoint {
            // Everything since the checkpoint, whatever is newest.
            from = checkpoint.frontierMs
            all = try await storedScores(of: members, after: from, through: Int64.max / 2)
        } else {
            // The learning window before the newest score.
            guard let newest = try await newestScore(of: members) else {
                for zone in zones { await book.restore(zone: zone, state: nil, stored: []) }
                return (0, false)
            }
            from = newest - rebuildMs
            all = try await storedScores(of: members, after: from, through: newest)
        }
        for zone in zones {
            let state = checkpoint?.states.first { $0.zone == zone }
            let stored = try await store.replayable(zone: zone, fromMs: from, alsoIDs: state?.recentlyEndedEvents.map(\.id) ?? [])
            await book.restore(zone: zone, state: state, stored: stored)
        }
        if let checkpoint {
            gate.withLock { $0.resume(zone: group, frontierMs: checkpoint.frontierMs) }
            lastCheckpoint.withLock { $0[group] = (checkpoint.frontierMs, nowMs()) }
        }
        var index = 0
        while index < all.count {
            let end = min(all.count, index + Self.replayChunk)
            try await process(Array(all[index..<end]))
            index = end
        }
        readBack(all)
        let replayed = all.count
        counters.add("scores_replayed", replayed)
        // A rebuild's result is saved at once: a restart soon after must not redo it.
        if replayed > 0 { try await saveCheckpoints(groups: [group], force: true) }
        return (replayed, checkpoint != nil)
    }

    /// The newest stored score's time among the sensors (each sensor's newest bucket).
    /// Only a zone without a checkpoint needs it: a restart from a checkpoint reads
    /// forward from its frontier instead.
    private func newestScore(of members: [Sensor]) async throws -> Int64? {
        var newest: Int64?
        for m in members {
            let last = try await scores.newest(m.sensorID)
            if let ts = last?["ts_ms"]?.int64Value { newest = max(newest ?? ts, ts) }
        }
        return newest
    }

    /// Scores read per query, and judged at once, while a zone is replayed.
    static let replayPage = 20_000
    static let replayChunk = 5_000
}

extension ScoredPoint {
    /// A score as the detector sees it, with the registry's zone and role.
    init(score s: Score, sensor: Sensor) {
        let hasValue = s.flags & UInt32(QualityFlag.gap.rawValue) == 0
        self.init(
            sensorID: s.sensorID, zone: sensor.zone, role: SensorRole(sensor), tsMs: s.tsMs,
            value: hasValue ? s.value : nil, forecastMean: s.forecastMean, score: s.anomalyScore,
            anomalous: s.anomalous, warmedUp: s.warmedUp, flags: s.flags, modelVersion: s.modelVersion,
            forecastLower: s.lower, forecastUpper: s.upper, traceID: s.traceID)
        storageAreaM2 = sensor.storageAreaM2
        outletOfZone = sensor.outletOfZone
    }
}
