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
    let clean: MongoCollection
    let scores: MongoCollection
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

    /// Warms each sensor's scorer from its recent clean history and scores the clean
    /// points that have no score yet: those after its newest score, and any hole before
    /// it (a write that failed half done), in time order with the warming.
    func catchUp(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32> {
        if reason == .taken { try? await sensors.load() }  // sensors registered since the start
        var scoredCount = 0
        var holes = 0
        let failed = await catchUpSensors(
            sensors.all(in: partitions, of: partitioner), stage: name, partitioner: partitioner, logger: logger,
            shouldStop: shouldStop, failed: { await state.forget([$0.sensorID]) }
        ) { sensor in
            let lastScore = try await scores.findOne(seriesRange(sensor.sensorID, from: 0, to: Int64.max / 2), sort: seriesNewestFirst)
            let lastScoredTs = lastScore.map { Score(document: $0).tsMs } ?? .min
            var from: Int64 = 0
            if lastScoredTs != .min { from = max(0, lastScoredTs - Int64(warmupDays) * 86_400_000) }
            let scored = lastScoredTs == .min ? [] : try await scoredSlots(of: sensor.sensorID, from: from, through: lastScoredTs)
            while true {
                let page = try await clean.find(
                    seriesRange(sensor.sensorID, from: from, to: Int64.max / 2), sort: seriesOrder, limit: 20_000)
                if page.isEmpty { break }
                let points = page.map(CleanPoint.init(document:))
                // Runs of points already scored (warming) and not (scored now), in order.
                var start = 0
                while start < points.count {
                    let isScored = scored.contains(points[start].tsMs)
                    var end = start + 1
                    while end < points.count && scored.contains(points[end].tsMs) == isScored { end += 1 }
                    let run = Array(points[start..<end])
                    if isScored {
                        await state.warm(run)
                    } else {
                        try await process(run)
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

    /// The slots of a sensor that have a stored score in `from...through`.
    private func scoredSlots(of sensorID: String, from: Int64, through: Int64) async throws -> Set<Int64> {
        var slots: Set<Int64> = []
        var start = from
        while true {
            let page = try await scores.find(
                seriesRange(sensorID, from: start, to: through), sort: seriesOrder, limit: 50_000, projection: ["ts_ms": 1])
            for d in page { if let ts = d["ts_ms"]?.int64Value { slots.insert(ts) } }
            guard page.count == 50_000, let last = page.last?["ts_ms"]?.int64Value else { break }
            start = last + 1
        }
        return slots
    }

    func storeAndPublish(_ items: [Score]) async throws {
        guard !items.isEmpty else { return }
        // Keyed by (sensor, ts): a score already stored (replay after a restart) is a
        // duplicate key, counted and not stored twice. First revisions are written
        // before corrections, which a point's first version and its correction from one
        // batch need (a correction finding no first stores itself as one); of several
        // corrections of a point, the newest is written.
        var corrections: [String: Score] = [:]
        for s in items where s.revision > 1 {
            let key = seriesKey(s.sensorID, s.tsMs)
            if s.revision >= corrections[key]?.revision ?? 0 { corrections[key] = s }
        }
        let firsts = items.enumerated().filter { $0.element.revision <= 1 }
        var retried = false
        let onRetry = { (error: MongoError) in
            retried = true
            counters.add("write_retries")
            logger.warning("model: storing scores failed; trying again", metadata: ["error": "\(error)"])
        }
        var duplicates: Set<Int> = []
        if !firsts.isEmpty {
            let writes = firsts.map { MongoCollection.WriteModel.insert($0.element.document) }
            let result = try await retryingWrite(onRetry: onRetry) { () throws(MongoError) in
                try await scores.bulkWrite(writes, ordered: false).checked("store scores")
            }
            counters.add("stored", result.inserted)
            counters.add("duplicates", result.duplicateIndices.count)
            duplicates = Set(result.duplicateIndices.map { firsts[$0].offset })
        }
        if !corrections.isEmpty {
            let writes = corrections.values.map(\.correctionUpdate)
            _ = try await retryingWrite(onRetry: onRetry) { () throws(MongoError) in
                try await scores.bulkWrite(writes, ordered: false).checked("store score corrections")
            }
            counters.add("rescored", corrections.count)
        }
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
