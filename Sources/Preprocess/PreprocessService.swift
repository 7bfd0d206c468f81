import Foundation
import Logging
import Mongo
import ServiceLifecycle
import SwiftProtobuf
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Preprocess: turns the raw stream into clean, regular series with quality flags,
/// stores them in `clean` (one document per sensor and slot; a slot stored before is
/// a duplicate key, never a second copy) and publishes them on the clean stream. On start, and whenever the raw stream shows a
/// sequence gap, it catches up from `readings` in MongoDB, which is the log.
public final class PreprocessService: Service {
    public let config: PreprocessConfig
    public let rpc: RPCServer
    public let publisher: StreamPublisher
    private let subscriber: StreamSubscriber
    private let mongo: MongoClient
    private let readings: MongoCollection
    private let clean: MongoCollection
    private let latestClean: MongoCollection
    private let sensors: SensorDirectory
    private let state: CleaningState
    private let partitioner: Partitioner
    private let sequences = SequenceCounter()
    private let ownership: OwnedPartitions
    /// Set at a graceful stop: a catch-up in progress is left to the next owner (which
    /// restores from MongoDB anyway), so stopping never waits for a long replay.
    private let stopping = Locked(false)
    private let counters = ServiceCounters()
    private let logger: Logger
    private let startedMs = nowMs()

    public init(config: PreprocessConfig, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        mongo = try MongoClient(uri: config.mongoURI, database: config.database, appName: "waterline-preprocess", threads: 4)
        try await mongo.ping()
        readings = mongo.collection(Collections.readings)
        clean = mongo.collection(Collections.clean)
        latestClean = mongo.collection(Collections.latestClean)
        sensors = SensorDirectory(collection: mongo.collection(Collections.sensors))
        try await sensors.load()
        state = CleaningState(maxFillSteps: config.maxFillSteps, readings: readings, clean: clean, counters: counters, logger: logger)
        partitioner = Partitioner(count: UInt32(config.partitions))
        // Topics follow the partitions this replica holds (`ownership`): none until the
        // first leases are claimed.
        subscriber = try StreamSubscriber(name: "preprocess-raw", connect: config.rawStream, topics: [], tickMs: 500)
        let leases = PartitionLeases(
            collection: mongo.collection(Collections.leases).withMajorityWrites(try await mongo.isReplicaSet()),
            group: "preprocess", member: config.instanceID, partitions: config.partitions, ttlMs: config.leaseTTLMs,
            logger: logger)
        ownership = OwnedPartitions(leases: leases, subscriber: subscriber, topicPrefix: "raw.")
        rpc = try RPCServer(name: "preprocess", bind: config.rpcBind, logger: logger)
        publisher = try StreamPublisher(name: "preprocess-clean", bind: config.cleanPubBind)
        registerHandlers()
        logger.info("preprocess ready", metadata: [
            "rpc": "\(rpc.endpoint)", "clean_pub": "\(publisher.endpoint)", "raw_stream": "\(config.rawStream)",
        ])
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rpc.run() }
                group.addTask { await self.ownership.leases.run() }
                group.addTask {
                    await self.consume()
                    // Done with the partitions: the other replicas take them at once.
                    await self.ownership.leases.stop()
                }
            }
        } onGracefulShutdown: {
            self.logger.info("preprocess: shutting down; cleaning what was received")
            self.stopping.withLock { $0 = true }
            self.rpc.beginShutdown()
            Task { await self.subscriber.close() }
        }
        await publisher.close()
        mongo.close()
    }

    private func registerHandlers() {
        rpc.register(PreprocessRPC.getCleanSeries) { request, _ in
            let documents = try await databaseCall { try await self.clean.findSeries(request) }
            var reply = CleanSeriesResponse()
            reply.points = documents.map(CleanPoint.init(document:))
            return reply
        }
        rpc.register(PreprocessRPC.latestPoints) { request, _ in
            guard request.sensorIds.count <= 1000 else {
                throw RPCError.invalidArgument("at most 1000 sensors per call, got \(request.sensorIds.count)", field: "sensor_ids")
            }
            let ids: [BSON] = Set(request.sensorIds).sorted().map { .string($0) }
            let newest = try await databaseCall { try await self.latestClean.find(["_id": ["$in": .array(ids)]], limit: 1000) }
            var reply = CleanSeriesResponse()
            reply.points = newest.map(CleanPoint.init(document:)).sorted { $0.sensorID < $1.sensorID }
            return reply
        }
        rpc.register(PreprocessRPC.stats) { _, _ in
            self.counters.stats(
                service: "preprocess", instance: self.config.instanceID, startedMs: self.startedMs,
                gauges: ["sensors_held": Int64(await self.state.sensorCount)], partitions: self.ownership, rpc: self.rpc)
        }
        rpc.register(PreprocessRPC.health) { _, _ in
            let ready = self.ownership.isReady
            return self.counters.health(
                service: "preprocess", instance: self.config.instanceID, startedMs: self.startedMs,
                detail: ready ? "\(self.ownership.owned.count) partitions held" : "taking its first partitions", serving: ready)
        }
    }

    // MARK: Stream

    /// The most raw readings cleaned, stored and published together.
    static let maxChunkReadings = 2_000

    private func consume() async {
        while true {
            await ownership.follow(drop: { await self.drop($0) }, restore: { await self.restore($0, reason: "partitions taken") })
            guard let messages = await subscriber.nextBatch() else { return }
            if messages.isEmpty {
                // Nothing arrived for a tick: emit what idle sensors still hold.
                let points = await state.flushIdle(idleMs: Int64(config.idleFlushMs))
                do { try await storeAndPublish(points) } catch {
                    await state.forget(Set(points.map(\.sensorID)))
                    logger.error("preprocess: flush failed; its sensors will be rebuilt from MongoDB", metadata: ["error": "\(error)"])
                }
                continue
            }
            var batch: [RawReading] = []
            var replayPartitions: Set<UInt32> = []
            for message in messages {
                guard let decoded = try? RawReadingBatch(serializedBytes: message.payload) else {
                    counters.add("malformed_messages")
                    continue
                }
                let (mine, replay) = ownership.accept(
                    partition: decoded.partition, publisher: decoded.publisherID, sequence: decoded.sequence)
                guard mine else { continue }
                ownership.handled(decoded.partition, count: decoded.readings.count, receivedMs: decoded.readings.map(\.receivedMs).max() ?? 0)
                if let replay {
                    logger.warning("preprocess: raw stream \(replay), replaying from MongoDB", metadata: ["partition": "\(decoded.partition)"])
                    counters.add(replay.counterName)
                    replayPartitions.insert(decoded.partition)
                }
                // A partition to replay is read back from MongoDB whole, after this batch:
                // what came now is there too, and must not get ahead of what was missed.
                if replayPartitions.contains(decoded.partition) { continue }
                batch += decoded.readings
                // A backlog is worked off in bounded chunks, in arrival order: the clean
                // points of different sensors never leave far out of step (downstream,
                // a sensor hours behind its zone looks silent).
                if batch.count >= Self.maxChunkReadings {
                    counters.add("received", batch.count)
                    await process(batch)
                    batch = []
                }
            }
            counters.add("received", batch.count)
            await process(batch)
            if !replayPartitions.isEmpty { await replay(replayPartitions, reason: "stream gap or handover") }
        }
    }

    private func sensors(in partitions: Set<UInt32>) -> [Sensor] { sensors.all(in: partitions, of: partitioner) }

    /// Rebuilt from the last stored clean point: the readings missed are older than what
    /// the cleaners hold, so the cleaners are rebuilt rather than fed on.
    private func replay(_ partitions: Set<UInt32>, reason: String) async {
        let replayed = sensors(in: partitions)
        await state.forget(Set(replayed.map(\.sensorID)))
        await catchUp(replayed, reason: reason)
    }

    /// Partitions handed to another replica: what their cleaners hold unjudged is left
    /// to the next owner, which rebuilds them from the stored points and readings.
    private func drop(_ partitions: Set<UInt32>) async {
        await state.forget(Set(sensors(in: partitions).map(\.sensorID)))
        logger.info("preprocess: gave up \(partitions.count) partitions", metadata: ["owned": "\(ownership.owned.count)"])
    }

    private func restore(_ partitions: Set<UInt32>, reason: String) async {
        logger.info("preprocess: took \(partitions.count) partitions", metadata: ["owned": "\(ownership.owned.count)"])
        try? await sensors.load()  // sensors registered since the start
        await catchUp(sensors(in: partitions), reason: reason)
    }

    private func process(_ batch: [RawReading]) async {
        guard !batch.isEmpty else { return }
        let known = await sensors.lookup(Set(batch.map(\.sensorID)))
        do {
            let points = try await state.add(batch, sensors: known)
            try await storeAndPublish(points)
        } catch {
            // The sensors are rebuilt from MongoDB when their next readings come,
            // which cleans what this batch could not.
            await state.forget(Set(batch.map(\.sensorID)))
            counters.add("errors")
            logger.error("preprocess: batch failed; its sensors will be rebuilt from MongoDB", metadata: ["error": "\(error)"])
        }
    }

    /// Re-reads the sensors' raw readings from MongoDB from where their clean series
    /// stands, so nothing the stream dropped (or sent while this was down) is missed.
    private func catchUp(_ list: [Sensor], reason: String) async {
        var total = 0
        var resumedPoints = 0
        for sensor in list {
            if stopping.value {
                logger.info("preprocess: stopping; the rest of the catch-up is left to the partitions' next owner")
                break
            }
            do {
                let (resumed, nextSlot) = try await state.prepare(sensor)
                try await storeAndPublish(resumed)
                resumedPoints += resumed.count
                var from = nextSlot ?? 0
                await state.caughtUp(sensor.sensorID, fromMs: from, readAtMs: nowMs())
                while true {
                    let page = try await readings.find(
                        seriesRange(sensor.sensorID, from: from, to: Int64.max / 2), sort: seriesOrder, limit: 20_000)
                    if page.isEmpty { break }
                    let raws = page.map(RawReading.init(document:))
                    total += raws.count
                    let points = try await state.add(raws, sensors: [sensor.sensorID: sensor])
                    try await storeAndPublish(points)
                    guard page.count == 20_000, let last = raws.last else { break }
                    from = last.tsMs + 1
                }
            } catch {
                logger.error("preprocess: catch-up failed", metadata: ["sensor": "\(sensor.sensorID)", "error": "\(error)"])
            }
        }
        if total + resumedPoints > 0 {
            logger.info("preprocess: caught up from MongoDB (\(reason)): \(resumedPoints) points from resumed sensors, \(total) more readings")
        }
        counters.add("caught_up", total)
    }

    /// Keeps each sensor's newest point in `latest_clean`. The filter never lets an older
    /// point replace a newer one: it then matches nothing, the upsert's insert hits the
    /// sensor's key, and that duplicate is the expected "already newer".
    private func storeLatest(_ points: [CleanPoint]) async throws {
        var newest: [String: CleanPoint] = [:]
        for p in points where p.tsMs >= newest[p.sensorID]?.tsMs ?? .min { newest[p.sensorID] = p }
        let writes: [MongoCollection.WriteModel] = newest.values.map { p in
            var document = p.document
            document["_id"] = .string(p.sensorID)
            return .replaceOne(
                filter: ["_id": .string(p.sensorID), "ts_ms": ["$lte": .int64(p.tsMs)]], replacement: document, upsert: true)
        }
        let result = try await latestClean.bulkWrite(writes, ordered: false)
        if let failure = result.errors.first { throw MongoError(kind: .write, message: failure.message, operation: "store latest clean") }
    }

    /// Stores new points (revision 1) and replaces stored ones with their corrections
    /// (higher revisions), then publishes them. Keyed by (sensor, slot): a first
    /// version stored before (a replay after a restart) is a duplicate key, counted and
    /// not stored twice; there is never more than one live version of a point.
    private func storeAndPublish(_ produced: [CleanPoint]) async throws {
        guard !produced.isEmpty else { return }
        var latest: [String: Int] = [:]
        var points: [CleanPoint] = []
        for p in produced {
            let key = seriesKey(p.sensorID, p.tsMs)
            if let i = latest[key] {
                if p.revision >= points[i].revision { points[i] = p }
            } else {
                latest[key] = points.count
                points.append(p)
            }
        }
        let writes: [MongoCollection.WriteModel] = points.map { p in
            p.revision <= 1
                ? .insert(p.document)
                : .replaceOne(filter: ["_id": .string(seriesKey(p.sensorID, p.tsMs))], replacement: p.document, upsert: true)
        }
        let result = try await clean.bulkWrite(writes, ordered: false)
        if let failure = result.errors.first { throw MongoError(kind: .write, message: failure.message, operation: "store clean") }
        let revised = points.count { $0.revision > 1 }
        counters.add("stored", points.count - revised - result.duplicateIndices.count)
        counters.add("revised", revised)
        counters.add("duplicates", result.duplicateIndices.count)
        var byPartition: [UInt32: [CleanPoint]] = [:]
        for p in points { byPartition[partitioner.partition(of: p.sensorID), default: []].append(p) }
        for (partition, items) in byPartition {
            var batch = CleanBatch()
            batch.partition = partition
            batch.publisherID = config.instanceID
            batch.sequence = sequences.next(String(partition))
            batch.points = items
            if (try? publisher.publish(topic: "clean.\(partition)", batch)) == true {
                counters.add("published", items.count)
            } else {
                counters.add("publish_dropped", items.count)  // subscribers see the gap and replay
            }
        }
        // After publishing: the current values are a convenience, and failing to keep
        // them must not hold back the series.
        do { try await storeLatest(points) } catch {
            counters.add("errors")
            logger.warning("preprocess: storing current values failed", metadata: ["error": "\(error)"])
        }
    }
}
