import Foundation
import Logging
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Model's stage: forecasts every clean point of the partitions it holds with the
/// production model, scores it, stores the score in `scores` and publishes it on the
/// score stream. Its log is `clean` in MongoDB: it warms its scorers from the clean
/// history and scores what it missed.
struct ScoringStage: Stage {
    let name = "model"
    let warmupDays: Int
    let state: ScoringState
    let sensors: SensorDirectory
    let partitioner: Partitioner
    let clean: SeriesStore
    let scores: SeriesStore
    let publisher: StreamPublisher
    let publisherID: String
    let sequences = SequenceCounter()
    let counters: ServiceCounters
    let logger: Logger


    func items(of batch: CleanBatch) -> [CleanPoint] { batch.points }

    func receivedMs(of items: [CleanPoint]) -> Int64 { items.map(\.seenThroughMs).max() ?? 0 }

    func process(_ points: [CleanPoint]) async throws {
        guard !points.isEmpty else { return }
        let zones = await sensors.lookup(Set(points.map(\.sensorID))).mapValues(\.zone)
        // Scored but not stored (a throw): the runtime replays the partitions from the
        // last stored score, with their scorers rebuilt.
        try await storeAndPublish(await state.score(points, zones: zones))
    }

    func idle() async throws {}

    /// The scorers of these partitions are dropped; whoever catches them up warms its own.
    func drop(_ partitions: Set<UInt32>) async {
        await state.forget(Set(sensors.all(in: partitions, of: partitioner).map(\.sensorID)))
    }

    /// Warms each sensor's scorer from its recent history and scores the clean points
    /// that have no score yet: those after its newest score, and any hole before it (a
    /// write that failed half done), in time order with the warming. A point scored before
    /// is learnt again as its score's first revision carried it, which is what the scorer
    /// learnt from then (a later correction of the point is only rescored, never learnt):
    /// warmed from the corrected clean values instead, a scorer that restarted forecast
    /// otherwise than one that never stopped, and the events after a restart differed.
    func catchUp(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32> {
        if reason == .taken { try? await sensors.load() }  // sensors registered since the start
        var scoredCount = 0
        var holes = 0
        let failed = await catchUpSensors(
            sensors.all(in: partitions, of: partitioner), stage: name, partitioner: partitioner, logger: logger,
            shouldStop: shouldStop, failed: { await state.forget([$0.sensorID]) }
        ) { sensor in
            let lastScore = try await scores.newest(sensor.sensorID)
            let lastScoredTs = lastScore.map { Score(document: $0).tsMs } ?? .min
            var from: Int64 = 0
            if lastScoredTs != .min { from = max(0, lastScoredTs - Int64(warmupDays) * 86_400_000) }
            let scored = lastScoredTs == .min ? [:] : try await scoredPoints(of: sensor.sensorID, from: from, through: lastScoredTs)
            while true {
                let page = try await clean.find(sensor.sensorID, from: from, to: Int64.max / 2, limit: 20_000)
                if page.isEmpty { break }
                let points = page.map(CleanPoint.init(document:))
                let firsts = Dictionary(page.compactMap(CleanPoint.init(firstVersionIn:)).map { ($0.tsMs, $0) }, uniquingKeysWith: { a, _ in a })
                // Runs of points already scored (warming) and not (scored now), in order.
                var start = 0
                while start < points.count {
                    let isScored = scored[points[start].tsMs] != nil
                    var end = start + 1
                    while end < points.count && (scored[points[end].tsMs] != nil) == isScored { end += 1 }
                    let run = Array(points[start..<end])
                    if isScored {
                        await state.warm(run.compactMap { scored[$0.tsMs] })
                    } else {
                        // A point corrected before it was scored: its first version first,
                        // as the live stream carried them (scored, then the correction rescored).
                        try await process(run.flatMap { p in firsts[p.tsMs].map { [$0, p] } ?? [p] })
                        scoredCount += run.count
                        holes += run.count { $0.tsMs <= lastScoredTs }
                    }
                    start = end
                }
                guard page.count == 20_000, let last = points.last else { break }
                from = last.tsMs + 1
            }
        }
        if scoredCount > 0 { logger.info("model: scored \(scoredCount) clean points from MongoDB (\(reason)), \(holes) of them before a stored score") }
        counters.add("caught_up", scoredCount)
        counters.add("caught_up_holes", holes)
        return failed
    }

    /// The points of a sensor scored in `from...through`, by slot, as their scores' first
    /// revisions carried them.
    private func scoredPoints(of sensorID: String, from: Int64, through: Int64) async throws -> [Int64: CleanPoint] {
        let points = try await scores.find(sensorID, from: from, to: through).map { CleanPoint(scoredAs: Score(firstRevisionOf: $0)) }
        return Dictionary(points.map { ($0.tsMs, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func storeAndPublish(_ items: [Score]) async throws {
        guard !items.isEmpty else { return }
        // Keyed by (sensor, ts): a score already stored (replay after a restart) is a
        // duplicate, counted and not stored twice. Written in the order produced, so a
        // point's first version and its correction from one batch meet in that order (a
        // correction finding no first stands in for it; an older correction than the one
        // stored changes nothing).
        var retried = false
        let onRetry = { (error: MongoError) in
            retried = true
            counters.add("write_retries")
            logger.warning("model: storing scores failed; trying again", metadata: ["error": "\(error)"])
        }
        let documents = items.map(\.document)
        let result = try await retryingWrite(onRetry: onRetry) { () throws(MongoError) in
            try await scores.write(documents).checked("store scores")
        }
        var duplicates: Set<Int> = []
        for (i, outcome) in result.outcomes.enumerated() where outcome == .duplicate && items[i].revision <= 1 { duplicates.insert(i) }
        counters.add("stored", result.count(.stored))
        counters.add("duplicates", duplicates.count)
        counters.add("rescored", items.count { $0.revision > 1 })
        counters.add("anomalous", items.filter(\.anomalous).count)
        // Only what was stored now goes out: a score already stored was published then,
        // unless an attempt that failed stored it (then everything goes out: a score
        // received twice is a duplicate downstream, one never received is a hole).
        if retried { duplicates = [] }
        var byPartition: [UInt32: [Score]] = [:]
        for (i, s) in items.enumerated() where !duplicates.contains(i) {
            byPartition[partitioner.partition(of: s.sensorID), default: []].append(s)
        }
        for (partition, group) in byPartition {
            var batch = ScoreBatch()
            batch.partition = partition
            batch.publisherID = publisherID
            batch.sequence = sequences.next(String(partition))
            batch.scores = group
            if (try? publisher.publish(topic: "score.\(partition)", batch)) == true {
                counters.add("published", group.count)
            } else {
                counters.add("publish_dropped", group.count)  // subscribers see the gap and replay
            }
        }
    }
}

extension CleanPoint {
    /// The clean point as a score carried it: its value (none in a gap) and flags.
    init(scoredAs score: Score) {
        self.init()
        sensorID = score.sensorID
        tsMs = score.tsMs
        flags = score.flags
        if score.flags & UInt32(QualityFlag.gap.rawValue) == 0 { value = score.value }
        revision = 1
    }

    /// The first version a stored correction replaced (``SeriesRule/clean``), if kept.
    init?(firstVersionIn document: Document) {
        guard case .document(var first) = document["first"] else { return nil }
        first["sensor_id"] = document["sensor_id"]
        first["ts_ms"] = document["ts_ms"]
        self.init(document: first)
    }
}
