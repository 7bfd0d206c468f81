import Foundation
import Logging
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Preprocess's stage: cleans the raw readings of the partitions it holds into regular
/// series with quality flags, stores them in `clean` (``SeriesStore``: a slot stored
/// before is a duplicate, never a second copy) and publishes them on the
/// clean stream. Its log is `readings` in MongoDB, from which it catches up.
struct CleaningStage: Stage {
    let name = "preprocess"
    let idleFlushMs: Int64
    /// How far out of step (data time) the sensors of a partition may arrive.
    let streamLatenessMs: Int64
    let state: CleaningState
    let sensors: SensorDirectory
    let partitioner: Partitioner
    let readings: SeriesStore
    let clean: SeriesStore
    let latestClean: LatestCleanWriter
    let publisher: StreamPublisher
    let publisherID: String
    let sequences = SequenceCounter()
    let counters: ServiceCounters
    let logger: Logger


    func items(of batch: RawReadingBatch) -> [RawReading] { batch.readings }

    func receivedMs(of items: [RawReading]) -> Int64 { items.map(\.receivedMs).max() ?? 0 }

    func process(_ batch: [RawReading]) async throws {
        let known = await sensors.lookup(Set(batch.map(\.sensorID)))
        do {
            let points = try await state.add(batch, sensors: known)
            let behind = await state.flushBehind(
                streamNewestMs: batch.map(\.tsMs).max() ?? .min, streamLatenessMs: streamLatenessMs)
            try await storeAndPublish(points + behind)
        } catch {
            // Rebuilt from MongoDB when the partitions are replayed.
            await state.forget(Set(batch.map(\.sensorID)))
            throw error
        }
    }

    /// Nothing arrived for a tick: emit what sensors still hold if the stream has gone quiet.
    func idle() async throws {
        let points = await state.flushIdle(idleMs: idleFlushMs, streamLatenessMs: streamLatenessMs)
        do { try await storeAndPublish(points) } catch {
            // Nothing more may come for these sensors (the end of a replay): their
            // partitions are rebuilt from the log rather than left until their next reading.
            let sensorIDs = Set(points.map(\.sensorID))
            await state.forget(sensorIDs)
            throw PartitionsFailed(Set(sensorIDs.map { partitioner.partition(of: $0) }), error)
        }
    }

    /// What the cleaners of these partitions hold unjudged is left to whoever catches
    /// them up next, from the stored points and readings.
    func drop(_ partitions: Set<UInt32>) async {
        await state.forget(Set(sensors(in: partitions).map(\.sensorID)))
    }

    private func sensors(in partitions: Set<UInt32>) -> [Sensor] { sensors.all(in: partitions, of: partitioner) }

    /// Re-reads the sensors' raw readings from MongoDB from where their clean series
    /// stands, so nothing the stream dropped (or sent while this was down) is missed.
    func catchUp(_ partitions: Set<UInt32>, reason: CatchUpReason, shouldStop: @Sendable () -> Bool) async -> Set<UInt32> {
        if reason == .taken { try? await sensors.load() }  // sensors registered since the start
        var total = 0
        var resumedPoints = 0
        let failed = await catchUpSensors(
            sensors(in: partitions), stage: name, partitioner: partitioner, logger: logger, shouldStop: shouldStop,
            failed: { await state.forget([$0.sensorID]) }
        ) { sensor in
            let (resumed, nextSlot) = try await state.prepare(sensor)
            try await storeAndPublish(resumed)
            resumedPoints += resumed.count
            var from = nextSlot ?? 0
            await state.caughtUp(sensor.sensorID, fromMs: from, readAtMs: nowMs())
            while true {
                let page = try await readings.find(sensor.sensorID, from: from, to: Int64.max / 2, limit: 20_000)
                if page.isEmpty { break }
                let raws = page.map(RawReading.init(document:))
                total += raws.count
                try await storeAndPublish(try await state.add(raws, sensors: [sensor.sensorID: sensor]))
                guard page.count == 20_000, let last = raws.last else { break }
                from = last.tsMs + 1
            }
        }
        if total + resumedPoints > 0 {
            logger.info("preprocess: caught up from MongoDB (\(reason)): \(resumedPoints) points from resumed sensors, \(total) more readings")
        }
        counters.add("caught_up", total)
        return failed
    }

    private func writeRetried(_ error: MongoError) {
        counters.add("write_retries")
        logger.warning("preprocess: storing clean points failed; trying again", metadata: ["error": "\(error)"])
    }

    /// Stores new points (revision 1) and replaces stored ones with their corrections
    /// (higher revisions), then publishes every version, in the order produced (a
    /// point's first version and its correction can come from one batch: downstream
    /// sees both, whatever the batching). Keyed by (sensor, slot): a first version stored
    /// before (a replay after a restart) is a duplicate, counted and not stored twice;
    /// there is never more than one live version of a point.
    func storeAndPublish(_ produced: [CleanPoint]) async throws {
        guard !produced.isEmpty else { return }
        // In the order produced: a first version and its correction from one batch are
        // merged by the series rule as two writes are (the first kept beside the correction).
        let documents = produced.map(\.document)
        let result = try await retryingWrite(onRetry: writeRetried) { () throws(MongoError) in
            try await clean.write(documents).checked("store clean")
        }
        counters.add("stored", result.count(.stored))
        counters.add("revised", result.count(.replaced))
        counters.add("duplicates", result.count(.duplicate))
        var byPartition: [UInt32: [CleanPoint]] = [:]
        for p in produced { byPartition[partitioner.partition(of: p.sensorID), default: []].append(p) }
        for (partition, items) in byPartition {
            var batch = CleanBatch()
            batch.partition = partition
            batch.publisherID = publisherID
            batch.sequence = sequences.next(String(partition))
            batch.points = items
            if (try? publisher.publish(topic: "clean.\(partition)", batch)) == true {
                counters.add("published", items.count)
            } else {
                counters.add("publish_dropped", items.count)  // subscribers see the gap and replay
            }
        }
        // The current values are a convenience, written behind the series.
        latestClean.note(produced)
    }
}
