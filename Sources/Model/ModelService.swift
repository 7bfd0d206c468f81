import Foundation
import Logging
import Mongo
import ServiceLifecycle
import SwiftProtobuf
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Model: runs the scoring stage (`ScoringStage`) on the clean stream's partitions it
/// holds, trains and promotes models, and serves scores and training over RPC.
public final class ModelService: Service {
    public let config: ModelConfig
    public let rpc: RPCServer
    public let publisher: StreamPublisher
    private let mongo: MongoClient
    let clean: SeriesStore
    private let scores: SeriesStore
    let sensors: SensorDirectory
    let state: ScoringState
    let registry: ModelRegistry
    let orchestrator: TrainingOrchestrator
    let trainingRequests = TrainingRequests()
    let (installs, installRequests) = AsyncStream<String>.makeStream()
    private let runtime: StageRuntime<ScoringStage>
    var ownership: OwnedPartitions { runtime.ownership }
    let counters = ServiceCounters()
    let logger: Logger
    private let startedMs = nowMs()

    public init(config: ModelConfig, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        mongo = try MongoClient(uri: config.mongoURI, database: config.database, appName: "waterline-model", threads: 4)
        try await mongo.ping()
        clean = SeriesStore(mongo.collection(Collections.clean), rule: .clean)
        scores = SeriesStore(mongo.collection(Collections.scores), rule: .scores, rollups: mongo.collection(Collections.rollups), rollupInterval: config.rollupInterval)
        sensors = SensorDirectory(collection: mongo.collection(Collections.sensors))
        try await sensors.load()
        state = ScoringState(threshold: config.anomalyThreshold)
        registry = ModelRegistry(collection: mongo.collection(Collections.models))
        orchestrator = TrainingOrchestrator(
            settings: config.training, clean: clean, events: mongo.collection(Collections.events),
            runs: mongo.collection(Collections.trainingRuns), registry: registry, logger: logger)
        // Topics follow the partitions this replica holds; the tick lets lease changes be
        // taken up while the stream is quiet.
        let subscriber = try StreamSubscriber(name: "model-clean", connect: config.cleanStream, topics: [], tickMs: 500)
        let leases = PartitionLeases(
            collection: mongo.collection(Collections.leases).withMajorityWrites(try await mongo.isReplicaSet()),
            group: "model", member: config.instanceID, partitions: config.partitions, ttlMs: config.leaseTTLMs, logger: logger)
        rpc = try RPCServer(name: "model", bind: config.rpcBind, logger: logger)
        publisher = try StreamPublisher(
            name: "model-score", bind: config.scorePubBind, highWaterMark: Int32(clamping: config.scorePubHighWaterMark))
        let stage = ScoringStage(
            warmupDays: config.warmupDays, state: state, sensors: sensors, partitioner: Partitioner(count: UInt32(config.partitions)),
            clean: clean, scores: scores, publisher: publisher, publisherID: config.instanceID, counters: counters, logger: logger)
        runtime = StageRuntime(
            stage: stage, subscriber: subscriber, leases: leases, routing: .partitioned(topicPrefix: "clean."), counters: counters, logger: logger)
        registerHandlers()
        logger.info("model ready", metadata: ["rpc": "\(rpc.endpoint)", "score_pub": "\(publisher.endpoint)"])
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rpc.run() }
                group.addTask {
                    await self.installProduction(reason: "start")
                    await self.runtime.run()
                }
                group.addTask { await self.trainingLoop() }
                group.addTask { await self.installLoop() }
                group.addTask { await self.followRegistry() }
            }
        } onGracefulShutdown: {
            self.logger.info("model: shutting down; scoring what was received")
            self.rpc.beginShutdown()
            self.runtime.beginShutdown()
            self.trainingRequests.stop()
            self.installRequests.finish()
        }
        try? await scores.rollups?.flush(all: true)
        await publisher.close()
        mongo.close()
    }

    private func registerHandlers() {
        rpc.register(ModelRPC.getScoreSeries) { request, _ in
            let documents = try await databaseCall { try await self.scores.find(request) }
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
}
