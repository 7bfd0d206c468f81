import Foundation
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Stores events in `events` and publishes every change on the insight stream (topic
/// `insight.<zone>.<type>`, numbered per topic).
///
/// Detection (on the replica that owns the event's zone) and operator actions (on any
/// replica) may change one event at once. Every write is therefore conditional on the
/// version it started from (`version` in the document, one more per write): a write
/// that finds another version reads the event again, keeps what the other side owns —
/// operators own status, labels, reports and their history entries; detection owns the
/// rest — and tries again. Neither side's change is lost or applied twice.
final class EventStore: Sendable {
    private let events: MongoCollection
    private let publisher: StreamPublisher
    private let publisherID: String
    private let counters: ServiceCounters
    private let sequences = SequenceCounter()
    /// Held while an update is numbered and queued, and while heartbeats are queued, so
    /// the stream carries them in order and a heartbeat never announces a sequence that
    /// is not out yet.
    private let publishing = NSLock()
    /// Each event as this replica last read or wrote it, with its version: detection's
    /// writes take the operators' fields from here, so they never write back an older
    /// status than the version they replace.
    private let known = Locked<[String: (version: Int64, event: Event)]>([:])

    static let maxAttempts = 8

    init(events: MongoCollection, publisher: StreamPublisher, publisherID: String, counters: ServiceCounters) {
        self.events = events
        self.publisher = publisher
        self.publisherID = publisherID
        self.counters = counters
    }

    /// The stored event and its version.
    func load(_ id: String) async throws -> (event: Event, version: Int64)? {
        guard let document = try await databaseCall({ try await self.events.findOne(["_id": .string(id)]) }) else { return nil }
        let version = document["version"]?.int64Value ?? 0
        let event = try Event(document: document)
        remember(event, version: version)
        return (event, version)
    }

    /// The zone's events that a replay from `fromMs` (data time) may change: those open
    /// then or since (an event that had ended before cannot change again, except by
    /// reopening, and a reopenable one is open in the detector's saved state).
    /// `alsoIDs`: events that may reopen (the detector's recently ended ones).
    func replayable(zone: String, fromMs: Int64, alsoIDs: [String] = []) async throws -> [Event] {
        let filter: Document = [
            "zone": .string(zone),
            // Open (an unset end is not stored), or with evidence since (an ended event's end
            // is its last evidence), or able to reopen.
            "$or": [
                ["end_ms": ["$exists": false]], ["last_evidence_ms": ["$gte": .int64(fromMs)]],
                ["_id": ["$in": .array(alsoIDs.map { .string($0) })]],
            ],
        ]
        let documents = try await events.find(filter, limit: 100_000)
        return try documents.map { d in
            let event = try Event(document: d)
            remember(event, version: d["version"]?.int64Value ?? 0)
            return event
        }
    }

    /// Stores detection's changes and publishes them; returns the events as stored (with
    /// operators' changes made meanwhile taken in).
    func storeDetected(_ changes: [(Event, EventChange, String)]) async throws -> [Event] {
        guard !changes.isEmpty else { return [] }
        // Over the version last seen, with the operators' fields of that version.
        let base = known.withLock { k in changes.map { k[$0.0.eventID] } }
        var stored = zip(changes, base).map { change, base in base.map { $0.event.adoptingDetection(from: change.0) } ?? change.0 }
        let writes = try zip(stored, base).map { event, base in try write(event, over: base?.version) }
        let result = try await events.bulkWrite(writes, ordered: false).checked("store events")
        var conflicted: [Int] = []
        if result.matched + result.inserted == changes.count {
            for (event, base) in zip(stored, base) { remember(event, version: (base?.version ?? 0) + 1) }
        } else {
            // Some were changed by someone else meanwhile: those whose stored form is not
            // what this replica wrote.
            let ids: [BSON] = stored.map { .string($0.eventID) }
            let now = try await events.find(["_id": ["$in": .array(ids)]], limit: changes.count)
            let current = Dictionary(now.compactMap { d in d["_id"]?.stringValue.map { ($0, d) } }) { a, _ in a }
            for (i, event) in stored.enumerated() {
                let version = (base[i]?.version ?? 0) + 1
                if let d = current[event.eventID], d["version"]?.int64Value == version, (try? Event(document: d)) == event {
                    remember(event, version: version)
                } else {
                    conflicted.append(i)
                }
            }
        }
        for i in conflicted {
            counters.add("event_write_conflicts")
            stored[i] = try await storeOver(stored[i]) { fresh in fresh.adoptingDetection(from: changes[i].0) }
        }
        for (i, event) in stored.enumerated() { publish(event, change: changes[i].1, traceID: changes[i].2) }
        return stored
    }

    /// Applies an operator's change to the stored event, conditional on its version,
    /// reading it again and reapplying if it changed meanwhile; publishes the result.
    func update(_ id: String, apply: (Event) async throws -> (Event, EventChange)) async throws -> Event {
        for _ in 0..<Self.maxAttempts {
            guard let (stored, version) = try await load(id) else { throw RPCError.notFound("no event '\(id)'") }
            let (event, change) = try await apply(stored)
            var document = try event.document()
            document["version"] = .int64(version + 1)
            let replacement = document
            let result = try await databaseCall {
                try await self.events.bulkWrite([
                    .replaceOne(filter: ["_id": .string(id), "version": Self.versionFilter(version)], replacement: replacement, upsert: false)
                ])
            }
            if result.matched == 1 {
                remember(event, version: version + 1)
                publish(event, change: change)
                return event
            }
            counters.add("event_write_conflicts")
        }
        throw RPCError.unavailable("event '\(id)' keeps changing; try again")
    }

    /// Every `WATERLINE_INSIGHT_HEARTBEAT_S`: the latest sequence of every topic published on.
    func sendHeartbeats() {
        publishing.withLock {
            for (topic, latest) in sequences.latest {
                _ = try? publisher.publish(topic: topic, EventUpdate.heartbeat(publisher: publisherID, latest: latest))
            }
        }
    }

    // MARK: Writing

    /// The write of an event over the version last seen: an insert when none was.
    private func write(_ event: Event, over version: Int64?) throws -> MongoCollection.WriteModel {
        var document = try event.document()
        document["version"] = .int64((version ?? 0) + 1)
        guard let version else { return .insert(document) }
        return .replaceOne(filter: ["_id": .string(event.eventID), "version": Self.versionFilter(version)], replacement: document, upsert: false)
    }

    /// Stores `event` over whatever version is stored now, merged by `merge` with it.
    private func storeOver(_ event: Event, merge: (Event) -> Event) async throws -> Event {
        for _ in 0..<Self.maxAttempts {
            guard let (fresh, version) = try await load(event.eventID) else {
                // Gone (or never there): insert; a racing insert makes it a conflict again.
                let result = try await events.bulkWrite([try write(event, over: nil)])
                if result.inserted == 1 {
                    remember(event, version: 1)
                    return event
                }
                continue
            }
            let merged = merge(fresh)
            let result = try await events.bulkWrite([try write(merged, over: version)])
            if result.matched == 1 {
                remember(merged, version: version + 1)
                return merged
            }
        }
        throw MongoError(kind: .write, message: "event \(event.eventID) kept changing while stored", operation: "store events")
    }

    /// Documents stored before versions were kept have none: version 0 is its absence.
    private static func versionFilter(_ version: Int64) -> BSON {
        version == 0 ? ["$exists": false] : .int64(version)
    }

    /// Keeps the newest version seen of an event (a slower read must not go back).
    private func remember(_ event: Event, version: Int64) {
        known.withLock { k in
            if let current = k[event.eventID], current.version > version { return }
            k[event.eventID] = (version, event)
        }
    }

    /// Forgets the zones' events (given up to another replica).
    func forget(zone: String) {
        known.withLock { k in k = k.filter { $0.value.event.zone != zone } }
    }

    private func publish(_ event: Event, change: EventChange, traceID: String = "") {
        var update = EventUpdate()
        update.traceID = traceID
        let topic = "insight.\(event.zone).\(event.type.label)"
        update.publisherID = publisherID
        update.change = change
        update.event = event
        if change == .opened { counters.add("events_opened") }
        // Counted per topic, so a subscriber that filters topics sees no false gaps.
        let sent = publishing.withLock {
            update.sequence = sequences.next(topic)
            return (try? publisher.publish(topic: topic, update)) == true
        }
        counters.add(sent ? "published" : "publish_dropped")
    }
}

extension Event {
    /// This stored event with what detection knows from `detected` (the same event as
    /// the detector's book holds it); the operators' fields and history stay.
    func adoptingDetection(from detected: Event) -> Event {
        var merged = detected
        merged.status = status
        merged.acknowledgedBy = acknowledgedBy
        merged.acknowledgedMs = acknowledgedMs
        merged.resolvedBy = resolvedBy
        merged.resolvedMs = resolvedMs
        merged.label = label
        merged.labelledBy = labelledBy
        merged.labelledMs = labelledMs
        merged.publicReports = publicReports
        merged.history = history
        for entry in detected.history { merged.recordOnce(entry) }
        // When it was first raised stays what was first stored (a replica rebuilding the
        // zone raises it again, later).
        if raisedWallMs != 0 { merged.raisedWallMs = raisedWallMs }
        return merged
    }
}
