import Mongo
import WaterlineBus
import WaterlineProto

/// A series collection (`readings`, `clean` or `scores`) stored in hour buckets
/// (``SeriesBucket``), merged by its ``SeriesRule``. The only code that knows the layout:
/// writers hand it points and readers get points back, each as the document one point
/// was stored as before buckets.
///
/// A write reads the buckets its points fall in, merges them, and inserts each changed
/// bucket's next segment (``SeriesBucket``): a segment another writer inserted in
/// between is a duplicate key, and that bucket is read and merged again. So a resent
/// point changes nothing, and concurrent writers never lose each other's points.
/// Buckets this store wrote last are kept (up to `cacheCapacity`), so a stage that alone
/// writes its sensors' series (preprocess and model own their partitions) reads nothing
/// before writing new points on the live path. That a write changes nothing (a resent
/// batch) is only concluded from the stored bucket.
public final class SeriesStore: Sendable {
    public let collection: MongoCollection
    public let rule: SeriesRule
    private let cache = Locked<[String: SeriesBucket]>([:])
    private let cacheCapacity: Int
    /// Keeps the rollups of what this store writes, for the stage that owns them.
    public let rollups: SeriesRollupWriter?
    private let compactor: SeriesCompactor?
    /// Each sensor's newest bucket start this store wrote (when it moves on, the bucket
    /// left behind is compacted).
    private let newest = Locked<[String: Int64]>([:])

    /// `rollups`: the `rollups` collection, for the store of the stage that keeps this
    /// series' rollups (``SeriesRollupWriter``; clean and scores only).
    /// `compact`: compact the buckets this store leaves behind (``SeriesCompactor``). Off
    /// by default, and in every service: deleting the compacted segments frees their `seq`
    /// for a writer whose copy of the bucket is older than the compaction, so its segment is
    /// stored, folds under the base and is lost (`concurrentWritersNeverLoseEachOthersPoints`
    /// lost points in 4 of 6 runs on a busy machine with it on, none in 8 with it off). Only
    /// for a series that one writer alone writes.
    public init(
        _ collection: MongoCollection, rule: SeriesRule, rollups: MongoCollection? = nil, rollupInterval: Duration = .seconds(10),
        compact: Bool = false, cacheCapacity: Int = 1_024
    ) {
        self.collection = collection
        compactor = compact ? SeriesCompactor(collection) : nil
        self.rule = rule
        self.cacheCapacity = cacheCapacity
        let part: SeriesRollup.Part? = switch rule {
        case .clean: .clean
        case .scores: .scores
        case .readings: nil
        }
        self.rollups = rollups.flatMap { r in part.map { SeriesRollupWriter(r, source: collection, part: $0, interval: rollupInterval) } }
    }

    /// What a write did.
    public struct Write: Sendable {
        /// Per point, in the order written: nil where its bucket could not be written.
        public var outcomes: [SeriesOutcome?]
        /// Why buckets could not be written (empty: every point was written).
        public var failures: [String] = []

        public func count(_ outcome: SeriesOutcome) -> Int { outcomes.count { $0 == outcome } }

        /// This write, or an error if any bucket could not be written.
        public func checked(_ operation: String) throws(MongoError) -> Write {
            if let first = failures.first {
                throw MongoError(kind: .write, message: "\(failures.count) buckets not written (first: \(first))", operation: operation)
            }
            return self
        }
    }

    /// A bucket whose conditional write kept meeting other writers' changes.
    static let maxAttempts = 50

    /// Writes points (documents with `sensor_id` and `ts_ms`, as `RawReading.document`
    /// etc. make them), merged into their buckets in the order given.
    public func write(_ points: [Document]) async throws(MongoError) -> Write {
        var result = Write(outcomes: Array(repeating: nil, count: points.count))
        var pending: [String: (sensorID: String, startMs: Int64, items: [(index: Int, tsMs: Int64, point: Document)])] = [:]
        for (index, d) in points.enumerated() {
            guard let sensorID = d["sensor_id"]?.stringValue, let ts = d["ts_ms"]?.int64Value else {
                result.failures.append("point \(index) has no sensor_id or ts_ms")
                continue
            }
            let start = SeriesBucket.start(of: ts)
            let point = Document(d.fields.filter { $0.key != "_id" && $0.key != "sensor_id" && $0.key != "ts_ms" }.map { ($0.key, $0.value) })
            pending[seriesKey(sensorID, start), default: (sensorID, start, [])].items.append((index, ts, point))
        }
        var attempts = 0
        var storedBuckets: [SeriesBucket] = []
        while !pending.isEmpty {
            attempts += 1
            guard attempts <= Self.maxAttempts else {
                forget(Array(pending.keys))
                throw MongoError(kind: .write, message: "\(pending.count) buckets kept changing under \(Self.maxAttempts) attempts", operation: "write \(collection.name)")
            }
            let (buckets, cached) = try await current(pending.map { ($0.key, $0.value.sensorID, $0.value.startMs) })
            var written: [(id: String, bucket: SeriesBucket, segment: Document, outcomes: [SeriesOutcome])] = []
            for (id, group) in pending {
                var bucket = buckets[id]!
                let (outcomes, changed) = bucket.merge(group.items.map { ($0.tsMs, $0.point) }, rule: rule)
                if changed.isEmpty && cached.contains(id) {
                    // Nothing to write is said from what is stored, never from a copy
                    // another writer may have changed since: read it next round.
                    forget([id])
                    continue
                }
                guard !changed.isEmpty else {
                    for (item, outcome) in zip(group.items, outcomes) { result.outcomes[item.index] = outcome }
                    pending[id] = nil
                    remember(bucket)
                    rollups?.changed(bucket)  // a resent batch: its rollup may not have been written
                    continue
                }
                written.append((id, bucket, bucket.segment(changed: changed), outcomes))
            }
            guard !written.isEmpty else { continue }
            let segments = written.map(\.segment)
            let reply: WriteResult
            do { reply = try await collection.insertMany(segments, ordered: false) } catch {
                forget(written.map(\.id))  // applied or not: read again next time
                throw error
            }
            let moved = Set(reply.duplicateIndices)
            let failed = Dictionary(reply.errors.map { ($0.index, $0.message) }, uniquingKeysWith: { a, _ in a })
            for (position, w) in written.enumerated() {
                if moved.contains(position) {
                    forget([w.id])  // another writer stored this segment first: merged again from what is stored
                    continue
                }
                if let message = failed[position] {
                    forget([w.id])
                    result.failures.append(message)
                } else {
                    for (item, outcome) in zip(pending[w.id]!.items, w.outcomes) { result.outcomes[item.index] = outcome }
                    var stored = w.bucket
                    stored.stored()
                    remember(stored)
                    rollups?.changed(stored)
                    storedBuckets.append(stored)
                }
                pending[w.id] = nil
            }
        }
        compactLeft(after: storedBuckets)
        try await rollups?.flush(all: false)
        return result
    }

    /// The buckets as stored (from the cache, else read), or empty ones, and which came
    /// from the cache.
    private func current(
        _ wanted: [(id: String, sensorID: String, startMs: Int64)]
    ) async throws(MongoError) -> (buckets: [String: SeriesBucket], cached: Set<String>) {
        var buckets: [String: SeriesBucket] = [:]
        var fromCache: Set<String> = []
        let cached = cache.value
        var missing: [BSON] = []
        for w in wanted {
            if let b = cached[w.id] {
                buckets[w.id] = b
                fromCache.insert(w.id)
            } else {
                missing.append(.string(w.id))
            }
        }
        if !missing.isEmpty {
            for (id, bucket) in SeriesBucket.fold(try await collection.find(["bucket": ["$in": .array(missing)]])) { buckets[id] = bucket }
        }
        for w in wanted where buckets[w.id] == nil { buckets[w.id] = SeriesBucket(sensorID: w.sensorID, startMs: w.startMs) }
        return (buckets, fromCache)
    }

    /// Queues for compaction the buckets whose sensors this write moved to a newer hour.
    private func compactLeft(after stored: [SeriesBucket]) {
        guard let compactor, !stored.isEmpty else { return }
        let cached = cache.value
        let left = newest.withLock { newest -> [SeriesBucket] in
            var left: [SeriesBucket] = []
            for b in stored {
                guard let previous = newest[b.sensorID] else {
                    newest[b.sensorID] = b.startMs
                    continue
                }
                guard b.startMs > previous else { continue }
                newest[b.sensorID] = b.startMs
                if let old = cached[seriesKey(b.sensorID, previous)], old.revision >= 3 { left.append(old) }
            }
            return left
        }
        for b in left { compactor.enqueue(b) }
    }

    private func remember(_ bucket: SeriesBucket) {
        cache.withLock { cache in
            if cache.count >= cacheCapacity && cache[bucket.id] == nil { cache.removeAll(keepingCapacity: true) }
            cache[bucket.id] = bucket
        }
    }

    private func forget(_ ids: [String]) {
        cache.withLock { cache in for id in ids { cache[id] = nil } }
    }

    // MARK: Reads

    /// Segments read per query by ranged reads.
    static let segmentPage = 4_000

    /// A sensor's points in `from...to`, in time order, at most `limit` of them.
    public func find(_ sensorID: String, from: Int64, to: Int64, limit: Int = .max) async throws(MongoError) -> [Document] {
        var points: [Document] = []
        var start = SeriesBucket.start(of: from)
        var page = Self.segmentPage
        while points.count < limit && start <= to {
            let segments = try await collection.find(
                ["sensor_id": .string(sensorID), "start_ms": ["$gte": .int64(start), "$lte": .int64(to)]],
                sort: ["start_ms": 1, "seq": 1], limit: page)
            let complete = segments.count < page
            var buckets = SeriesBucket.fold(segments).values.sorted { $0.startMs < $1.startMs }
            // A full page may end inside a bucket's segments: that bucket is read again
            // with the next page (a page of one bucket's segments grows instead).
            if !complete {
                guard buckets.count > 1 else {
                    page *= 2
                    continue
                }
                buckets.removeLast()
            }
            for bucket in buckets {
                points += bucket.pointDocuments(from: from, to: to).prefix(limit - points.count)
                start = bucket.startMs + SeriesBucket.spanMs
            }
            if complete { break }
        }
        return points
    }

    /// The points a `SeriesRequest` asks for (`to_ms` 0: no upper bound; `limit` 0:
    /// 10,000, at most 100,000).
    public func find(_ request: SeriesRequest) async throws(MongoError) -> [Document] {
        try await find(
            request.sensorID, from: request.fromMs, to: request.toMs == 0 ? Int64.max / 2 : request.toMs,
            limit: Int(request.limit == 0 ? 10_000 : min(request.limit, 100_000)))
    }

    /// A sensor's newest point. A sensor without any is answered by one index probe
    /// first: the newest-first read costs 150 ms a sensor on SecantusDB, and a batch of
    /// new sensors reached the cleaners one after another (6 s for 50 at the start of
    /// the `latency` bench).
    public func newest(_ sensorID: String) async throws(MongoError) -> Document? {
        guard try await !collection.find(["sensor_id": .string(sensorID)], limit: 1, projection: ["_id": 1]).isEmpty else { return nil }
        let newest = try await collection.findOne(["sensor_id": .string(sensorID), "start_ms": ["$gte": .int64(.min)]], sort: ["start_ms": -1])
        guard let key = newest?["bucket"]?.stringValue,
              let bucket = SeriesBucket.fold(try await collection.find(["bucket": .string(key)]))[key],
              let ts = bucket.points.keys.max()
        else { return nil }
        return bucket.pointDocument(at: ts)
    }

    /// A sensor's readings received after `receivedAfterMs` for times before `beforeMs`
    /// (readings only: their segments keep `received_max`).
    public func received(_ sensorID: String, after receivedAfterMs: Int64, before beforeMs: Int64) async throws(MongoError) -> [Document] {
        let touched = try await collection.find(
            ["sensor_id": .string(sensorID), "start_ms": ["$lt": .int64(beforeMs)], "received_max": ["$gt": .int64(receivedAfterMs)]],
            projection: ["bucket": 1])
        let keys = Set(touched.compactMap { $0["bucket"]?.stringValue })
        guard !keys.isEmpty else { return [] }
        let buckets = SeriesBucket.fold(try await collection.find(["bucket": ["$in": .array(keys.sorted().map { .string($0) })]]))
        return buckets.values.sorted { $0.startMs < $1.startMs }.flatMap { b in
            b.pointDocuments(to: beforeMs - 1).filter { ($0["received_ms"]?.int64Value ?? .min) > receivedAfterMs }
        }
    }

    /// Drops a sensor's readings older than a cutoff (retention): the segments of hours
    /// that ended before `cutoff` and hold no reading received since (`received_max`;
    /// readings only). A segment goes whole, so a point is either kept or dropped.
    /// Returns the segments dropped.
    public func drop(_ sensorID: String, before cutoff: Int64) async throws(MongoError) -> Int {
        precondition(rule == .readings, "only readings record when they were received")
        let dropped = try await collection.bulkWrite([.deleteMany(filter: [
            "sensor_id": .string(sensorID), "start_ms": ["$lte": .int64(cutoff - SeriesBucket.spanMs)],
            "received_max": ["$lt": .int64(cutoff)],
        ])]).checked("drop old readings").deleted
        if dropped > 0 { cache.withLock { cache in cache = cache.filter { $0.value.sensorID != sensorID } } }
        return dropped
    }

    /// The number of points in the segments `filter` selects (all by default).
    /// A compacted bucket counts from its newest base segment on (the base's `n` is every
    /// point up to it), so the count is right before and after the old segments go.
    public func countPoints(_ filter: Document = [:]) async throws(MongoError) -> Int {
        let segments = try await collection.find(filter, projection: ["bucket": 1, "seq": 1, "n": 1, "full": 1])
        var base: [String: Int64] = [:]
        for s in segments where s["full"]?.boolValue == true {
            if let key = s["bucket"]?.stringValue, let seq = s["seq"]?.int64Value { base[key] = max(base[key] ?? 0, seq) }
        }
        return segments.reduce(0) { total, s in
            let from = s["bucket"]?.stringValue.flatMap { base[$0] } ?? 0
            return (s["seq"]?.int64Value ?? 0) >= from ? total + Int(s["n"]?.int64Value ?? 0) : total
        }
    }

    /// Every point of the buckets `filter` selects (tests and tools; not for big series).
    public func points(_ filter: Document = [:]) async throws(MongoError) -> [Document] {
        SeriesBucket.fold(try await collection.find(filter)).values
            .sorted { ($0.sensorID, $0.startMs) < ($1.sensorID, $1.startMs) }.flatMap { $0.pointDocuments() }
    }
}
