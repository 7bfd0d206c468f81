import Foundation
import Logging
import Mongo
import ServiceLifecycle
import SwiftProtobuf
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Model: forecasts every clean point with the seasonal-profile baseline, scores it,
/// stores the score in `scores` and publishes it on the score stream. On start it warms
/// its profiles from the clean history in MongoDB and scores what it missed.
public final class ModelService: Service {
    public let config: ModelConfig
    public let rpc: RPCServer
    public let publisher: StreamPublisher
    private let subscriber: StreamSubscriber
    private let mongo: MongoClient
    let clean: MongoCollection
    private let scores: MongoCollection
    let sensors: SensorDirectory
    let state: ScoringState
    let registry: ModelRegistry
    let orchestrator: TrainingOrchestrator
    let trainingRequests = TrainingRequests()
    let (installs, installRequests) = AsyncStream<String>.makeStream()
    private let partitioner: Partitioner
    private let sequences = SequenceCounter()
    let ownership: OwnedPartitions
    /// Set at a graceful stop: a catch-up in progress is left to the next owner (which
    /// restores from MongoDB anyway), so stopping never waits for a long replay.
    private let stopping = Locked(false)
    /// Partitions whose scores could not be stored or caught up: replayed from MongoDB
    /// at the next turn of the stream loop (their scorers rebuilt), so none is skipped.
    private let replayLater = Locked<Set<UInt32>>([])
    let counters = ServiceCounters()
    let logger: Logger
    private let startedMs = nowMs()

    public init(config: ModelConfig, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        mongo = try MongoClient(uri: config.mongoURI, database: config.database, appName: "waterline-model", threads: 4)
        try await mongo.ping()
        clean = mongo.collection(Collections.clean)
        scores = mongo.collection(Collections.scores)
        sensors = SensorDirectory(collection: mongo.collection(Collections.sensors))
        try await sensors.load()
        state = ScoringState(threshold: config.anomalyThreshold)
        registry = ModelRegistry(collection: mongo.collection(Collections.models))
        orchestrator = TrainingOrchestrator(
            settings: config.training, clean: clean, events: mongo.collection(Collections.events),
            runs: mongo.collection(Collections.trainingRuns), registry: registry, logger: logger)
        partitioner = Partitioner(count: UInt32(config.partitions))
        // Topics follow the partitions this replica holds (`ownership`); the tick lets
        // lease changes be taken up while the stream is quiet.
        subscriber = try StreamSubscriber(name: "model-clean", connect: config.cleanStream, topics: [], tickMs: 500)
        let leases = PartitionLeases(
            collection: mongo.collection(Collections.leases).withMajorityWrites(try await mongo.isReplicaSet()),
            group: "model", member: config.instanceID, partitions: config.partitions, ttlMs: config.leaseTTLMs, logger: logger)
        ownership = OwnedPartitions(leases: leases, subscriber: subscriber, topicPrefix: "clean.")
        rpc = try RPCServer(name: "model", bind: config.rpcBind, logger: logger)
        publisher = try StreamPublisher(name: "model-score", bind: config.scorePubBind)
        registerHandlers()
        logger.info("model ready", metadata: ["rpc": "\(rpc.endpoint)", "score_pub": "\(publisher.endpoint)"])
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rpc.run() }
                group.addTask { await self.ownership.leases.run() }
                group.addTask {
                    await self.installProduction(reason: "start")
                    await self.consume()
                    // Done with the partitions: the other replicas take them at once.
                    await self.ownership.leases.stop()
                }
                group.addTask { await self.trainingLoop() }
                group.addTask { await self.installLoop() }
                group.addTask { await self.followRegistry() }
            }
        } onGracefulShutdown: {
            self.logger.info("model: shutting down; scoring what was received")
            self.stopping.withLock { $0 = true }
            self.rpc.beginShutdown()
            self.trainingRequests.stop()
            self.installRequests.finish()
            Task { await self.subscriber.close() }
        }
        await publisher.close()
        mongo.close()
    }

    private func registerHandlers() {
        rpc.register(ModelRPC.getScoreSeries) { request, _ in
            let documents = try await databaseCall { try await self.scores.findSeries(request) }
            var reply = ScoreSeriesResponse()
            reply.scores = documents.map(Score.init(document:))
            return reply
        }
        rpc.register(ModelRPC.getModelInfo) { _, _ in
            var info = ModelInfo()
            info.modelVersion = await self.state.modelVersion
            info.kind = info.modelVersion.hasPrefix("deepar") ? "deepar" : "seasonal-profile"
            info.sensors = UInt32(await self.state.sensorCount)
            info.slotsPerWeek = 7 * 96
            return info
        }
        registerTrainingHandlers()
        rpc.register(ModelRPC.stats) { _, _ in
            self.counters.stats(
                service: "model", instance: self.config.instanceID, startedMs: self.startedMs,
                gauges: ["sensors_held": Int64(await self.state.sensorCount)], partitions: self.ownership, rpc: self.rpc)
        }
        rpc.register(ModelRPC.health) { _, _ in
            let ready = self.ownership.isReady
            return self.counters.health(
                service: "model", instance: self.config.instanceID, startedMs: self.startedMs,
                detail: ready ? "\(self.ownership.owned.count) partitions held" : "taking its first partitions", serving: ready)
        }
    }

    /// The most clean points scored and published together. Insight's zone clock
    /// treats a sensor hours behind its zone as silent, so a backlog must not be worked
    /// off sensor by sensor in one go.
    static let maxChunkPoints = 2_000

    private func consume() async {
        while true {
            await ownership.follow(drop: { await self.drop($0) }, restore: { await self.restore($0) })
            let retry = replayLater.withLock { set -> Set<UInt32> in
                defer { set = [] }
                return set
            }.intersection(ownership.owned)
            if !retry.isEmpty { await replay(retry, reason: "retry after a failure") }
            guard let messages = await subscriber.nextBatch() else { return }
            if messages.isEmpty { continue }
            var points: [CleanPoint] = []
            var replayPartitions: Set<UInt32> = []
            for message in messages {
                guard let decoded = try? CleanBatch(serializedBytes: message.payload) else {
                    counters.add("malformed_messages")
                    continue
                }
                let (mine, replay) = ownership.accept(
                    partition: decoded.partition, publisher: decoded.publisherID, sequence: decoded.sequence)
                guard mine else { continue }
                ownership.handled(decoded.partition, count: decoded.points.count, receivedMs: decoded.points.map(\.seenThroughMs).max() ?? 0)
                if let replay {
                    logger.warning("model: clean stream \(replay), replaying from MongoDB", metadata: ["partition": "\(decoded.partition)"])
                    counters.add(replay.counterName)
                    replayPartitions.insert(decoded.partition)
                }
                // A partition to replay is read back from MongoDB whole, after this batch:
                // what came now is there too, and must not get ahead of what was missed.
                if replayPartitions.contains(decoded.partition) { continue }
                points += decoded.points
                // A backlog is worked off in bounded chunks, in arrival order, so the
                // scores of different sensors never leave far out of step.
                if points.count >= ModelService.maxChunkPoints {
                    counters.add("received", points.count)
                    await scoreAndPublish(points)
                    points = []
                }
            }
            counters.add("received", points.count)
            await scoreAndPublish(points)
            if !replayPartitions.isEmpty { await replay(replayPartitions, reason: "stream gap or handover") }
        }
    }

    private func sensors(in partitions: Set<UInt32>) -> [Sensor] { sensors.all(in: partitions, of: partitioner) }

    /// Warmed again and scored from the last stored score: the points missed are older
    /// than what the scorers have seen, so the scorers are rebuilt rather than fed on.
    private func replay(_ partitions: Set<UInt32>, reason: String) async {
        let replayed = sensors(in: partitions)
        await state.forget(Set(replayed.map(\.sensorID)))
        await catchUp(replayed, reason: reason)
    }

    /// Partitions handed to another replica: their scorers are dropped; the next owner
    /// warms its own from MongoDB.
    private func drop(_ partitions: Set<UInt32>) async {
        await state.forget(Set(sensors(in: partitions).map(\.sensorID)))
        logger.info("model: gave up \(partitions.count) partitions", metadata: ["owned": "\(ownership.owned.count)"])
    }

    private func restore(_ partitions: Set<UInt32>) async {
        logger.info("model: took \(partitions.count) partitions", metadata: ["owned": "\(ownership.owned.count)"])
        try? await sensors.load()  // sensors registered since the start
        await catchUp(sensors(in: partitions), reason: "partitions taken")
    }

    private func scoreAndPublish(_ points: [CleanPoint]) async {
        guard !points.isEmpty else { return }
        let zones = await sensors.lookup(Set(points.map(\.sensorID))).mapValues(\.zone)
        let scored = await state.score(points, zones: zones)
        do { try await storeAndPublish(scored) } catch {
            counters.add("errors")
            // Scored but not stored: their partitions are replayed from the last stored score.
            replayLater.withLock { set in for p in points { set.insert(partitioner.partition(of: p.sensorID)) } }
            logger.error("model: storing scores failed; replayed from MongoDB next", metadata: ["error": "\(error)"])
        }
    }

    /// Warms each sensor's profile from its recent clean history and scores the clean
    /// points that have no score yet.
    private func catchUp(_ list: [Sensor], reason: String) async {
        var scoredCount = 0
        for sensor in list {
            if stopping.value {
                logger.info("model: stopping; the rest of the catch-up is left to the partitions' next owner")
                break
            }
            do {
                let lastScore = try await scores.findOne(seriesRange(sensor.sensorID, from: 0, to: Int64.max / 2), sort: seriesNewestFirst)
                let lastScoredTs = lastScore.map { Score(document: $0).tsMs }
                var from: Int64 = 0
                if let lastScoredTs { from = max(0, lastScoredTs - Int64(config.warmupDays) * 86_400_000) }
                while true {
                    let page = try await clean.find(
                        seriesRange(sensor.sensorID, from: from, to: Int64.max / 2), sort: seriesOrder, limit: 20_000)
                    if page.isEmpty { break }
                    let points = page.map(CleanPoint.init(document:))
                    let history = points.filter { lastScoredTs != nil && $0.tsMs <= lastScoredTs! }
                    let fresh = points.filter { lastScoredTs == nil || $0.tsMs > lastScoredTs! }
                    await state.warm(history)
                    await scoreAndPublish(fresh)
                    scoredCount += fresh.count
                    guard page.count == 20_000, let last = points.last else { break }
                    from = last.tsMs + 1
                }
            } catch {
                replayLater.withLock { _ = $0.insert(partitioner.partition(of: sensor.sensorID)) }
                logger.error("model: catch-up failed; tried again next", metadata: ["sensor": "\(sensor.sensorID)", "error": "\(error)"])
            }
        }
        if scoredCount > 0 { logger.info("model: scored \(scoredCount) clean points from MongoDB (\(reason))") }
        counters.add("caught_up", scoredCount)
    }

    private func storeAndPublish(_ items: [Score]) async throws {
        guard !items.isEmpty else { return }
        // Keyed by (sensor, ts): a score already stored (replay after a restart) is a
        // duplicate key, counted and not stored twice; the score of a corrected clean
        // point replaces the stored one.
        let writes: [MongoCollection.WriteModel] = items.map { s in
            s.revision <= 1
                ? .insert(s.document)
                : .replaceOne(filter: ["_id": .string(seriesKey(s.sensorID, s.tsMs))], replacement: s.document, upsert: true)
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
            batch.publisherID = config.instanceID
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
