import Detection
import Foundation
import Logging
import Mongo
import ServiceLifecycle
import SwiftProtobuf
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Insight: judges the score stream into events (`JudgingStage`, on the zones this
/// replica holds through leases), stores them in `events`, publishes every change on the
/// insight stream (topic `insight.<zone>.<type>`) for the dashboard and integrators, and
/// serves the event RPCs (any replica, whichever zone: changes are applied to the stored
/// event with a version check).
public final class InsightService: Service {
    public let config: InsightConfig
    public let rpc: RPCServer
    public let publisher: StreamPublisher
    private let mongo: MongoClient
    private let events: MongoCollection
    private let book: EventBook
    private let store: EventStore
    private let reportDesk: ReportDesk
    private let settingsStore: SettingsStore
    private let settings: Locked<Settings>
    private let slots: Locked<ZoneSlotGate>
    private let runtime: StageRuntime<JudgingStage>
    private var ownership: OwnedPartitions { runtime.ownership }
    private let counters = ServiceCounters()
    private let logger: Logger
    private let startedMs = nowMs()

    public init(config: InsightConfig, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        let network = config.networkModel.map { NetworkLocation(network: $0.network, name: $0.name) }
        if let model = config.networkModel {
            logger.info("insight: network model", metadata: [
                "file": "\(model.name)", "junctions": "\(model.network.nodes.filter(\.isJunction).count)",
                "links": "\(model.network.links.count)",
            ])
        }
        for warning in config.networkWarnings { logger.warning("insight: network model: \(warning)") }
        mongo = try MongoClient(uri: config.mongoURI, database: config.database, appName: "waterline-insight", threads: 4)
        try await mongo.ping()
        try await ensureIndexes(mongo)
        let majority = try await mongo.isReplicaSet()
        events = mongo.collection(Collections.events).withMajorityWrites(majority)
        let sensors = SensorDirectory(collection: mongo.collection(Collections.sensors))
        try await sensors.load()
        // The registry's sensors reach the gate with the stage's first batch or tick.
        slots = Locked(ZoneSlotGate(latenessMs: config.zoneLatenessMs, quietAfterMs: config.zoneQuietAfterMs))
        var detection = EventDetector.Config()
        detection.minPoints = config.minPoints
        detection.quietMs = config.quietMs
        // 0 turns the CUSUM off: a threshold nothing reaches.
        detection.cusumThreshold = config.cusumThreshold > 0 ? config.cusumThreshold : .infinity
        detection.leakRulesWhileLearning = config.leakRulesWhileLearning
        settingsStore = SettingsStore(collection: mongo.collection(Collections.settings).withMajorityWrites(majority))
        let current = try await settingsStore.load(defaultTariff: config.tariffPerM3)
        settings = Locked(current)
        book = EventBook(config: detection, tariffPerM3: current.tariffPerM3, network: network)
        reportDesk = ReportDesk(
            reports: mongo.collection(Collections.reports).withMajorityWrites(majority), events: events, sensors: sensors,
            matcher: ReportMatcher(radiusMetres: config.reportMatchRadiusMetres))
        // The whole score stream (it is partitioned by sensor, the zones by zone).
        let subscriber = try StreamSubscriber(
            name: "insight-score", connect: config.scoreStream, topics: [], highWaterMark: Int32(clamping: config.scoreHighWaterMark), tickMs: 500)
        let leases = PartitionLeases(
            collection: mongo.collection(Collections.leases).withMajorityWrites(majority), group: "insight",
            member: config.instanceID, partitions: config.partitions, ttlMs: config.leaseTTLMs, logger: logger)
        rpc = try RPCServer(name: "insight", bind: config.rpcBind, logger: logger)
        publisher = try StreamPublisher(
            name: "insight", bind: config.insightPubBind, highWaterMark: Int32(clamping: config.insightPubHighWaterMark))
        store = EventStore(events: events, publisher: publisher, publisherID: config.instanceID, counters: counters)
        let stage = JudgingStage(
            zonePartitioner: Partitioner(count: UInt32(config.partitions)), sensors: sensors, book: book, store: store,
            gate: slots, scores: SeriesStore(mongo.collection(Collections.scores), rule: .scores),
            checkpoints: ZoneCheckpoints(collection: mongo.collection(Collections.insightCheckpoints).withMajorityWrites(majority)),
            checkpointEveryMs: config.checkpointEveryMs, checkpointMinIntervalMs: config.checkpointMinIntervalMs, rebuildMs: Int64(config.rebuildDays) * 86_400_000,
            counters: counters, logger: logger)
        runtime = StageRuntime(
            stage: stage, subscriber: subscriber, leases: leases, routing: .wholeStream(topicPrefix: "score."),
            counters: counters, logger: logger)
        registerHandlers()
        logger.info("insight ready", metadata: ["rpc": "\(rpc.endpoint)", "insight_pub": "\(publisher.endpoint)"])
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rpc.run() }
                group.addTask { await self.runtime.run() }
                group.addTask { await self.followSettings() }
                group.addTask { await self.sendHeartbeats() }
            }
        } onGracefulShutdown: {
            self.logger.info("insight: shutting down")
            self.rpc.beginShutdown()
            self.runtime.beginShutdown()
        }
        await publisher.close()
        mongo.close()
    }

    static let maxCommentCharacters = 2000

    private func registerHandlers() {
        rpc.register(InsightRPC.listEvents) { request, _ in
            var filter: Document = [:]
            if !request.zone.isEmpty { filter["zone"] = .string(request.zone) }
            if request.type != .unspecified { filter["type"] = .string(request.type.label) }
            if request.status != .unspecified { filter["status"] = .string(request.status.label) }
            var range: Document = [:]
            if request.fromMs > 0 { range["$gte"] = .int64(request.fromMs) }
            if request.toMs > 0 { range["$lte"] = .int64(request.toMs) }
            if !range.isEmpty { filter["start_ms"] = .document(range) }
            var order: Document = ["start_ms": -1]
            if request.updatedFromMs > 0 {
                filter["updated_ms"] = ["$gte": .int64(request.updatedFromMs)]
                order = ["updated_ms": 1]
            }
            let limit = Int(request.limit == 0 ? 100 : min(request.limit, 1000))
            let (query, sort) = (filter, order)
            let documents = try await databaseCall { try await self.events.find(query, sort: sort, limit: limit) }
            var reply = ListEventsResponse()
            reply.events = try documents.map { try Event(document: $0) }
            return reply
        }
        rpc.register(InsightRPC.getEvent) { request, _ in
            guard let event = try await self.storedEvent(request.eventID) else {
                throw RPCError.notFound("no event '\(request.eventID)'")
            }
            return event
        }
        rpc.register(InsightRPC.updateEvent) { request, _ in
            guard !request.eventID.isEmpty else { throw RPCError.invalidArgument("event_id is required", field: "event_id") }
            guard !request.actor.isEmpty else { throw RPCError.invalidArgument("actor is required: who does this", field: "actor") }
            guard request.action != .publicReport else {
                throw RPCError.invalidArgument("public reports are matched by SubmitReport, not set by hand", field: "action")
            }
            // Every update carries the whole history: a comment is a note, not a document.
            guard request.comment.count <= Self.maxCommentCharacters, request.comment.utf8.count <= 4 * Self.maxCommentCharacters else {
                throw RPCError.invalidArgument(
                    "a comment has at most \(Self.maxCommentCharacters) characters, this one \(request.comment.count)", field: "comment")
            }
            let event = try await self.store.update(request.eventID) { stored in try await self.book.apply(request, to: stored) }
            await self.book.refresh(event)
            if request.action.eventLabel != nil { try await self.storeLabel(event) }
            return event
        }
        rpc.register(InsightRPC.summary) { _, _ in
            let open: Document = ["status": ["$in": .array([.string("open"), .string("acknowledged")])]]
            let documents = try await databaseCall { try await self.events.find(open, sort: ["start_ms": -1], limit: 10_000) }
            return EventSummary.make(try documents.map { try Event(document: $0) })
        }
        rpc.register(InsightRPC.submitReport) { request, _ in
            let report = try await self.reportDesk.file(request, nowMs: nowMs())
            self.counters.add("reports")
            // The report is stored: a failure to count it on an event is logged, not
            // answered (a resident told "failed" would file it again).
            for id in report.eventIds {
                do { try await self.corroborate(id, by: report) } catch {
                    self.counters.add("errors")
                    self.logger.error("insight: could not count a report on its event", metadata: ["report": "\(report.reportID)", "event": "\(id)", "error": "\(error)"])
                }
            }
            return report
        }
        rpc.register(InsightRPC.listReports) { request, _ in try await self.reportDesk.list(request) }
        rpc.register(InsightRPC.updateReport) { request, _ in try await self.reportDesk.update(request, nowMs: nowMs()) }
        rpc.register(InsightRPC.getSettings) { _, _ in self.settings.value }
        rpc.register(InsightRPC.updateSettings) { request, _ in
            let updated = try await self.settingsStore.update(request, nowMs: nowMs())
            // Of two updates racing, the later one (by time) stands, here as in the database
            // once `followSettings` has read it back.
            self.settings.withLock { if updated.updatedMs >= $0.updatedMs { $0 = updated } }
            await self.book.setTariff(self.settings.value.tariffPerM3)
            return updated
        }
        rpc.register(InsightRPC.stats) { _, _ in
            self.counters.stats(
                service: "insight", instance: self.config.instanceID, startedMs: self.startedMs,
                gauges: ["scores_held": Int64(self.slots.withLock { $0.heldCount })], partitions: self.ownership, rpc: self.rpc)
        }
        rpc.register(InsightRPC.health) { _, _ in
            let ready = self.ownership.isReady
            return self.counters.health(
                service: "insight", instance: self.config.instanceID, startedMs: self.startedMs,
                detail: ready ? "\(self.ownership.owned.count) zone partitions held" : "taking its first zones", serving: ready)
        }
    }

    /// Every `WATERLINE_INSIGHT_HEARTBEAT_S`, the latest sequence of every topic this
    /// instance published on: a subscriber that lost the last updates of a burst sees it
    /// now rather than at the next update. Ends with the service.
    private func sendHeartbeats() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(self.config.heartbeatSeconds))
                self.store.sendHeartbeats()
            }
        }
    }

    /// Takes up settings another replica stored (every `WATERLINE_SETTINGS_REFRESH_S`), so
    /// all replicas price losses alike; ends with the service.
    private func followSettings() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(self.config.settingsRefreshSeconds))
                guard let stored = try? await self.settingsStore.load(defaultTariff: self.config.tariffPerM3),
                    stored.updatedMs > self.settings.value.updatedMs
                else { continue }
                self.settings.withLock { $0 = stored }
                await self.book.setTariff(stored.tariffPerM3)
                self.logger.info("insight: settings taken up", metadata: ["tariff_per_m3": "\(stored.tariffPerM3)", "by": "\(stored.updatedBy)"])
            }
        }
    }

    /// Counts a matched public report on its event (history: who, where), published as
    /// an update like any other change.
    private func corroborate(_ eventID: String, by report: PublicReport) async throws {
        var update = UpdateEventRequest()
        update.eventID = eventID
        update.action = .publicReport
        update.actor = "public"
        update.comment = "report \(report.reportID) from \(report.locality.prefix(120))\(report.suspectedLeak ? " (suspected leak)" : "")"
        let event = try await store.update(eventID) { stored in try await book.apply(update, to: stored) }
        await book.refresh(event)
    }

    /// Keeps an operator's label where training reads it (one per event, the latest).
    private func storeLabel(_ event: Event) async throws {
        let label: Document = [
            "_id": .string(event.eventID), "label": .string(event.label), "actor": .string(event.labelledBy),
            "at_ms": .int64(event.labelledMs), "type": .string(event.type.label), "zone": .string(event.zone),
            "start_ms": .int64(event.startMs), "end_ms": .int64(event.endMs == 0 ? event.lastEvidenceMs : event.endMs),
            "sensor_ids": .array(event.sensorIds.map { .string($0) }),
        ]
        let labels = mongo.collection(Collections.eventLabels)
        _ = try await databaseCall {
            try await labels.bulkWrite(
                [.replaceOne(filter: ["_id": .string(event.eventID)], replacement: label, upsert: true)], ordered: false)
        }
    }

    private func storedEvent(_ id: String) async throws -> Event? {
        guard let document = try await databaseCall({ try await self.events.findOne(["_id": .string(id)]) }) else { return nil }
        return try Event(document: document)
    }
}
