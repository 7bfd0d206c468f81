import Foundation
import Logging
import Mongo
import ServiceLifecycle
import SwiftProtobuf
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Preprocess: runs the cleaning stage (`CleaningStage`) on the raw stream's partitions
/// it holds, and serves the clean series over RPC.
public final class PreprocessService: Service {
    public let config: PreprocessConfig
    public let rpc: RPCServer
    public let publisher: StreamPublisher
    private let mongo: MongoClient
    private let clean: SeriesStore
    private let latestClean: MongoCollection
    private let latestWriter: LatestCleanWriter
    private let rollups: MongoCollection
    private let state: CleaningState
    private let runtime: StageRuntime<CleaningStage>
    private var ownership: OwnedPartitions { runtime.ownership }
    private let counters = ServiceCounters()
    private let logger: Logger
    private let startedMs = nowMs()

    public init(config: PreprocessConfig, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        mongo = try MongoClient(uri: config.mongoURI, database: config.database, appName: "waterline-preprocess", threads: 4)
        try await mongo.ping()
        let readings = SeriesStore(mongo.collection(Collections.readings), rule: .readings)
        clean = SeriesStore(mongo.collection(Collections.clean), rule: .clean, rollups: mongo.collection(Collections.rollups), rollupInterval: config.rollupInterval)
        rollups = mongo.collection(Collections.rollups)
        latestClean = mongo.collection(Collections.latestClean)
        latestWriter = LatestCleanWriter(latestClean, counters: counters, logger: logger)
        let sensors = SensorDirectory(collection: mongo.collection(Collections.sensors))
        try await sensors.load()
        state = CleaningState(maxFillSteps: config.maxFillSteps, readings: readings, clean: clean, counters: counters, logger: logger)
        // Topics follow the partitions this replica holds: none until the first leases
        // are claimed.
        let subscriber = try StreamSubscriber(name: "preprocess-raw", connect: config.rawStream, topics: [], tickMs: 500)
        let leases = PartitionLeases(
            collection: mongo.collection(Collections.leases).withMajorityWrites(try await mongo.isReplicaSet()),
            group: "preprocess", member: config.instanceID, partitions: config.partitions, ttlMs: config.leaseTTLMs,
            logger: logger)
        rpc = try RPCServer(name: "preprocess", bind: config.rpcBind, logger: logger)
        publisher = try StreamPublisher(name: "preprocess-clean", bind: config.cleanPubBind)
        let stage = CleaningStage(
            idleFlushMs: Int64(config.idleFlushMs), streamLatenessMs: Int64(config.streamLatenessMs), state: state, sensors: sensors,
            partitioner: Partitioner(count: UInt32(config.partitions)), readings: readings, clean: clean,
            latestClean: latestWriter, publisher: publisher, publisherID: config.instanceID, counters: counters, logger: logger)
        runtime = StageRuntime(
            stage: stage, subscriber: subscriber, leases: leases, routing: .partitioned(topicPrefix: "raw."), counters: counters, logger: logger)
        registerHandlers()
        logger.info("preprocess ready", metadata: [
            "rpc": "\(rpc.endpoint)", "clean_pub": "\(publisher.endpoint)", "raw_stream": "\(config.rawStream)",
        ])
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rpc.run() }
                group.addTask { await self.runtime.run() }
            }
        } onGracefulShutdown: {
            self.logger.info("preprocess: shutting down; cleaning what was received")
            self.rpc.beginShutdown()
            self.runtime.beginShutdown()
        }
        await latestWriter.flush()
        try? await clean.rollups?.flush(all: true)
        await publisher.close()
        mongo.close()
    }

    private func registerHandlers() {
        rpc.register(PreprocessRPC.getCleanSeries) { request, _ in
            let documents = try await databaseCall { try await self.clean.find(request) }
            var reply = CleanSeriesResponse()
            reply.points = documents.map(CleanPoint.init(document:))
            return reply
        }
        rpc.register(PreprocessRPC.getSeriesRollups) { request, _ in
            guard let resolution = SeriesResolution(rawValue: request.resolution), resolution != .raw else {
                throw RPCError.invalidArgument("resolution must be 5m, 1h or 1d, got '\(request.resolution)'", field: "resolution")
            }
            let to = request.toMs == 0 ? nowMs() : request.toMs
            guard request.fromMs <= to else { throw RPCError.invalidArgument("from_ms must not be after to_ms", field: "from_ms") }
            let points = try await databaseCall {
                try await SeriesRollupWriter.read(self.rollups, sensorID: request.sensorID, from: request.fromMs, to: to, resolution: resolution)
            }
            var reply = RollupResponse()
            reply.resolution = resolution.rawValue
            reply.points = points.map(RollupPoint.init)
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
}
