import Foundation
import Mongo
import WaterlineBus

/// Keeps one part of the `rollups` (``SeriesRollup``) up to date with the buckets a
/// ``SeriesStore`` writes: the stage that writes the points keeps their rollups, and a
/// correction updates them with the bucket it changes.
///
/// A rollup is computed from the whole bucket as stored, so writing it again is
/// harmless, and it is written only over an older one (by the bucket's `seq`). Changed
/// buckets wait at most `interval` before they are rolled up, in one bulk write (the live
/// path changes each sensor's newest bucket with every batch, and an update costs ten
/// times an insert on SecantusDB); a write that leaves `syncThreshold` or more waiting
/// (a history import) rolls them up before it returns, except each sensor's newest. What a
/// process killed within the interval leaves behind is repaired when it (or the next
/// owner) first writes the sensor again: the two hours before the one written are rolled
/// up anew from the database.
public final class SeriesRollupWriter: Sendable {
    /// `rollups`.
    public let collection: MongoCollection
    /// The series the rollups summarise (`clean` or `scores`).
    public let source: MongoCollection
    public let part: SeriesRollup.Part
    private let timer: FlushTimer
    /// Waiting buckets from which a write rolls them up before it returns.
    static let syncThreshold = 256

    private struct State {
        /// Buckets changed since their rollup was written, by bucket key.
        var dirty: [String: SeriesBucket] = [:]
        /// Each sensor's newest bucket start written through this writer.
        var newest: [String: Int64] = [:]
        /// Buckets to roll up from the database (the one before a sensor's first write).
        var repair: Set<String> = []
    }
    private let state = Locked(State())

    public init(_ collection: MongoCollection, source: MongoCollection, part: SeriesRollup.Part, interval: Duration = .seconds(10)) {
        self.collection = collection
        self.source = source
        self.part = part
        timer = FlushTimer(interval: interval)
    }

    /// A bucket as it now stands in the database (just written, or read back).
    func changed(_ bucket: SeriesBucket) {
        state.withLock { s in
            if s.newest[bucket.sensorID] == nil {
                for back in 1...2 { s.repair.insert(seriesKey(bucket.sensorID, bucket.startMs - Int64(back) * SeriesBucket.spanMs)) }
            }
            s.newest[bucket.sensorID] = max(s.newest[bucket.sensorID] ?? .min, bucket.startMs)
            if let held = s.dirty[bucket.id], held.revision > bucket.revision { return }
            s.dirty[bucket.id] = bucket
        }
    }

    /// Writes the rollups of changed buckets: all of them, or, when `syncThreshold` or more
    /// wait, all but each sensor's newest (the rest a timer writes within `interval`).
    public func flush(all: Bool) async throws(MongoError) {
        let (taken, repair) = state.withLock { s in
            let due = all || s.dirty.count >= Self.syncThreshold
            let taken = due ? s.dirty.filter { all || $0.value.startMs < (s.newest[$0.value.sensorID] ?? .max) } : [:]
            for id in taken.keys { s.dirty[id] = nil }
            let repair = due ? s.repair.subtracting(taken.keys) : []
            if due { s.repair = [] }
            return (Array(taken.values), repair)
        }
        armTimerIfWaiting()
        do {
            var buckets = taken
            if !repair.isEmpty {
                buckets += SeriesBucket.fold(try await source.find(["bucket": ["$in": .array(repair.sorted().map { .string($0) })]])).values
            }
            try await write(buckets)
        } catch {
            state.withLock { s in
                for b in taken where (s.dirty[b.id]?.revision ?? .min) < b.revision { s.dirty[b.id] = b }
                s.repair.formUnion(repair)
            }
            armTimerIfWaiting()
            throw error
        }
    }

    /// Starts the timer that flushes everything within `interval`, when something waits
    /// and no timer runs yet.
    private func armTimerIfWaiting() {
        guard state.withLock({ !$0.dirty.isEmpty || !$0.repair.isEmpty }) else { return }
        timer.arm { [weak self] in try? await self?.flush(all: true) }
    }

    /// One conditional upsert per day document; a day whose condition failed for one of
    /// its hours (a newer rollup stored, or the document created meanwhile by the other
    /// part's writer) is written again hour by hour, and an hour that fails then is newer
    /// in the database already.
    private func write(_ buckets: [SeriesBucket]) async throws(MongoError) {
        guard !buckets.isEmpty else { return }
        var days: [String: [SeriesBucket]] = [:]
        for b in buckets { days[SeriesRollup.documentID(b.sensorID, dayMs: SeriesRollup.dayStart(of: b.startMs)), default: []].append(b) }
        let grouped = days.map { ($0.key, $0.value) }
        let first = try await collection.bulkWrite(grouped.map { model($0.0, $0.1) }, ordered: false).checked("roll up \(collection.name)")
        let again = first.duplicateIndices.flatMap { i in grouped[i].1.map { (grouped[i].0, [$0]) } }
        guard !again.isEmpty else { return }
        _ = try await collection.bulkWrite(again.map { model($0.0, $0.1) }, ordered: false).checked("roll up \(collection.name)")
    }

    private func model(_ id: String, _ buckets: [SeriesBucket]) -> MongoCollection.WriteModel {
        var set: [(String, BSON)] = []
        var conditions: [(String, BSON)] = []
        for b in buckets {
            let (fields, newer) = SeriesRollup.update(for: b, part: part)
            set += fields
            conditions.append(newer)
        }
        let sensorID = buckets[0].sensorID
        let dayMs = SeriesRollup.dayStart(of: buckets[0].startMs)
        // The shard key (sensor_id, day_ms) is in the filter, as a sharded cluster wants
        // of an upsert; an inserted document takes it from there.
        return .updateOne(
            filter: Document([("_id", .string(id)), ("sensor_id", .string(sensorID)), ("day_ms", .int64(dayMs))] + conditions),
            update: ["$set": .document(Document(set))],
            upsert: true)
    }
}

extension SeriesRollupWriter {
    /// The rollup points of a sensor's range at `resolution` (not `.raw`).
    public static func read(
        _ collection: MongoCollection, sensorID: String, from: Int64, to: Int64, resolution: SeriesResolution
    ) async throws(MongoError) -> [SeriesRollup.Point] {
        let days = try await collection.find(
            ["_id": [
                "$gte": .string(SeriesRollup.documentID(sensorID, dayMs: SeriesRollup.dayStart(of: max(0, from)))),
                "$lte": .string(SeriesRollup.documentID(sensorID, dayMs: SeriesRollup.dayStart(of: max(0, to)))),
            ]],
            sort: ["_id": 1])
        return SeriesRollup.points(days, resolution: resolution, from: from, to: to)
    }
}
