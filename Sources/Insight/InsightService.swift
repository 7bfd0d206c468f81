import Detection
import Foundation
import Logging
import Mongo
import ServiceLifecycle
import SwiftProtobuf
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Insight: turns the score stream into events, stores them in `events`, publishes
/// every change on the insight stream (topic `insight.<zone>.<type>`) for the
/// dashboard and integrators, and serves the event RPCs.
public final class InsightService: Service {
    public let config: InsightConfig
    public let rpc: RPCServer
    public let publisher: StreamPublisher
    private let subscriber: StreamSubscriber
    private let mongo: MongoClient
    private let events: MongoCollection
    private let sensors: SensorDirectory
    private let book: EventBook
    private let reportDesk: ReportDesk
    private let settingsStore: SettingsStore
    private let settings: Locked<Settings>
    private let sequences = SequenceCounter()
    /// Held while an update is numbered and queued, and while heartbeats are queued.
    private let publishing = NSLock()
    private let gaps = Locked(SequenceGapDetector())
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
        mongo = try MongoClient(uri: config.mongoURI, database: config.database, appName: "waterline-insight", threads: 4)
        try await mongo.ping()
        try await ensureIndexes(mongo)
        let majority = try await mongo.isReplicaSet()
        events = mongo.collection(Collections.events).withMajorityWrites(majority)
        sensors = SensorDirectory(collection: mongo.collection(Collections.sensors))
        try await sensors.load()
        var detection = EventDetector.Config()
        detection.minPoints = config.minPoints
        detection.quietMs = config.quietMs
        // 0 turns the CUSUM off: a threshold nothing reaches.
        detection.cusumThreshold = config.cusumThreshold > 0 ? config.cusumThreshold : .infinity
        settingsStore = SettingsStore(collection: mongo.collection(Collections.settings).withMajorityWrites(majority))
        let current = try await settingsStore.load(defaultTariff: config.tariffPerM3)
        settings = Locked(current)
        book = EventBook(config: detection, tariffPerM3: current.tariffPerM3, network: network)
        reportDesk = ReportDesk(
            reports: mongo.collection(Collections.reports).withMajorityWrites(majority), events: events, sensors: sensors,
            matcher: ReportMatcher(radiusMetres: config.reportMatchRadiusMetres))
        subscriber = try StreamSubscriber(name: "insight-score", connect: config.scoreStream, topics: ["score."])
        rpc = try RPCServer(name: "insight", bind: config.rpcBind, logger: logger)
        publisher = try StreamPublisher(
            name: "insight", bind: config.insightPubBind, highWaterMark: Int32(clamping: config.insightPubHighWaterMark))
        registerHandlers()
        logger.info("insight ready", metadata: ["rpc": "\(rpc.endpoint)", "insight_pub": "\(publisher.endpoint)"])
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rpc.run() }
                group.addTask { await self.consume() }
                group.addTask { await self.followSettings() }
                group.addTask { await self.sendHeartbeats() }
            }
        } onGracefulShutdown: {
            self.logger.info("insight: shutting down")
            self.rpc.beginShutdown()
            Task { await self.subscriber.close() }
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
            let stored = try await self.storedEvent(request.eventID)
            let (event, change) = try await self.book.apply(request, stored: stored)
            try await self.storeAndPublish([(event, change)])
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
            self.counters.stats(service: "insight", instance: self.config.instanceID, startedMs: self.startedMs, rpc: self.rpc)
        }
        rpc.register(InsightRPC.health) { _, _ in
            self.counters.health(service: "insight", instance: self.config.instanceID, startedMs: self.startedMs)
        }
    }

    /// Every `WATERLINE_INSIGHT_HEARTBEAT_S`, the latest sequence of every topic this
    /// instance published on: a subscriber that lost the last updates of a burst sees it
    /// now rather than at the next update. Ends with the service.
    private func sendHeartbeats() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(self.config.heartbeatSeconds))
                self.publishing.withLock {
                    for (topic, latest) in self.sequences.latest {
                        let beat = EventUpdate.heartbeat(publisher: self.config.instanceID, latest: latest)
                        _ = try? self.publisher.publish(topic: topic, beat)
                    }
                }
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
        let (event, change) = try await book.apply(update, stored: try await storedEvent(eventID))
        try await storeAndPublish([(event, change)])
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

    private func consume() async {
        while true {
            guard let messages = await subscriber.nextBatch() else { return }
            if messages.isEmpty { continue }
            var scores: [Score] = []
            for message in messages {
                guard let decoded = try? ScoreBatch(serializedBytes: message.payload) else {
                    counters.add("malformed_messages")
                    continue
                }
                if let gap = gaps.withLock({ $0.observe(publisher: decoded.publisherID, key: String(decoded.partition), sequence: decoded.sequence) }) {
                    logger.warning("insight: score stream gap", metadata: ["gap": "\(gap)"])
                    counters.add("stream_gaps")
                }
                scores += decoded.scores
            }
            counters.add("received", scores.count)
            // Events follow the live series: a corrected score (a spike judged, a late
            // reading) updates the stored score, not an event already raised or passed.
            let revisions = scores.count { $0.revision > 1 }
            if revisions > 0 {
                counters.add("revisions_not_replayed", revisions)
                scores.removeAll { $0.revision > 1 }
            }
            let known = await sensors.lookup(Set(scores.map(\.sensorID)))
            let points = scores.sorted { ($0.tsMs, $0.sensorID) < ($1.tsMs, $1.sensorID) }.compactMap { s -> ScoredPoint? in
                guard let sensor = known[s.sensorID] else { return nil }
                let hasValue = s.flags & 4 == 0
                return ScoredPoint(
                    sensorID: s.sensorID, zone: sensor.zone, role: SensorRole(sensor), tsMs: s.tsMs,
                    value: hasValue ? s.value : nil, forecastMean: s.forecastMean, score: s.anomalyScore,
                    anomalous: s.anomalous, warmedUp: s.warmedUp, flags: s.flags, modelVersion: s.modelVersion,
                    forecastLower: s.lower, forecastUpper: s.upper)
            }
            let changes = await book.observe(points, sensors: known)
            do { try await storeAndPublish(changes) } catch {
                counters.add("errors")
                logger.error("insight: storing events failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func storeAndPublish(_ changes: [(Event, EventChange)]) async throws {
        guard !changes.isEmpty else { return }
        let models = try changes.map { (event, _) in
            MongoCollection.WriteModel.replaceOne(filter: ["_id": .string(event.eventID)], replacement: try event.document(), upsert: true)
        }
        let result = try await events.bulkWrite(models, ordered: false)
        if let failure = result.errors.first { throw MongoError(kind: .write, message: failure.message, operation: "store events") }
        for (event, change) in changes {
            var update = EventUpdate()
            // Counted per topic, so a subscriber that filters topics sees no false gaps;
            // numbered and queued under one lock, so the stream carries them in order
            // (calls from the score stream and from RPCs run at once) and a heartbeat
            // never announces a sequence that is not out yet.
            let topic = "insight.\(event.zone).\(event.type.label)"
            update.publisherID = config.instanceID
            update.change = change
            update.event = event
            if change == .opened { counters.add("events_opened") }
            let sent = publishing.withLock {
                update.sequence = sequences.next(topic)
                return (try? publisher.publish(topic: topic, update)) == true
            }
            counters.add(sent ? "published" : "publish_dropped")
        }
    }
}
