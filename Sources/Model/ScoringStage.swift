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
    /// points that have no score yet.
    func catchUp(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32> {
        if reason == .taken { try? await sensors.load() }  // sensors registered since the start
        var scoredCount = 0
        let failed = await catchUpSensors(
            sensors.all(in: partitions, of: partitioner), stage: name, partitioner: partitioner, logger: logger,
            shouldStop: shouldStop, failed: { await state.forget([$0.sensorID]) }
        ) { sensor in
            let lastScore = try await scores.findOne(seriesRange(sensor.sensorID, from: 0, to: Int64.max / 2), sort: seriesNewestFirst)
            let lastScoredTs = lastScore.map { Score(document: $0).tsMs }
            var from: Int64 = 0
            if let lastScoredTs { from = max(0, lastScoredTs - Int64(warmupDays) * 86_400_000) }
            while true {
                let page = try await clean.find(
                    seriesRange(sensor.sensorID, from: from, to: Int64.max / 2), sort: seriesOrder, limit: 20_000)
                if page.isEmpty { break }
                let points = page.map(CleanPoint.init(document:))
                let history = points.filter { lastScoredTs != nil && $0.tsMs <= lastScoredTs! }
                let fresh = points.filter { lastScoredTs == nil || $0.tsMs > lastScoredTs! }
                await state.warm(history)
                try await process(fresh)
                scoredCount += fresh.count
                guard page.count == 20_000, let last = points.last else { break }
                from = last.tsMs + 1
            }
        }
        if scoredCount > 0 { logger.info("model: scored \(scoredCount) clean points from MongoDB (\(reason))") }
        counters.add("caught_up", scoredCount)
        return failed
    }

    func storeAndPublish(_ items: [Score]) async throws {
        guard !items.isEmpty else { return }
        // Keyed by (sensor, ts): a score already stored (replay after a restart) is a
        // duplicate key, counted and not stored twice; the score of a corrected clean
        // point replaces the stored one.
        let writes: [MongoCollection.WriteModel] = items.map { s in
            s.revision <= 1
                ? .insert(s.document)
                : s.correctionUpdate
        }
        let result = try await scores.bulkWrite(writes, ordered: false)
        if let failure = result.errors.first { throw MongoError(kind: .write, message: failure.message, operation: "store scores") }
        counters.add("stored", result.inserted)
        counters.add("rescored", items.count { $0.revision > 1 })
        counters.add("duplicates", result.duplicateIndices.count)
        counters.add("anomalous", items.filter(\.anomalous).count)
        // Only what was stored now goes out: a score already stored was published then.
        let duplicates = Set(result.duplicateIndices)
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
