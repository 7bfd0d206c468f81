import Mongo

/// The points of one sensor's series in one hour: how `readings`, `clean` and `scores`
/// store a series (buckets of points instead of one document per point).
///
/// A bucket is written as segments, and never rewritten: every write that changes a
/// bucket inserts its next segment, `{_id: "<sensor_id>|<start_ms, 13 digits>|<seq, 6
/// digits>", bucket: "<sensor_id>|<start_ms>", sensor_id, start_ms, seq, n, p: {"<ms after
/// start_ms>": point}}` (plus `received_max`, the newest `received_ms` of its points, in
/// `readings`), holding the points that write changed; `n` counts the points it added.
/// A reader folds a bucket's segments in `seq` order (a later version of a point
/// replaces an earlier one). Points are keyed by their time, so a series holds at most
/// one point per (sensor_id, ts_ms), and a segment's `_id` is unique, so two writers
/// that merged from the same segments cannot both write the next one (``SeriesStore``).
///
/// Why segments and not updates of one document: the live path changes each sensor's
/// bucket with every batch. Measured on SecantusDB (README, "Series buckets"), an update
/// statement costs 0.7 ms alone and 5–7 ms beside the services' other writes, an
/// inserted document 0.05–0.1 ms; updating a bucket per sensor and batch took the p99
/// from reading to score from 49 ms to 49 s at 5,000 readings/s. A history import writes
/// an hour of a sensor in one segment; the live path writes about one segment per
/// point, as many documents as before buckets.
public struct SeriesBucket: Sendable, Equatable {
    public static let spanMs: Int64 = 3_600_000

    public let sensorID: String
    public let startMs: Int64
    /// The `seq` of its newest stored segment; 0 when none is stored.
    public private(set) var revision: Int64
    /// The points by time, in their stored form (long field names, no `_id`, `sensor_id`
    /// or `ts_ms`).
    public private(set) var points: [Int64: Document]

    /// Points the merges since the last stored segment added.
    private var pendingAdded = 0

    public static func start(of tsMs: Int64) -> Int64 {
        tsMs >= 0 ? tsMs / spanMs * spanMs : (tsMs - spanMs + 1) / spanMs * spanMs
    }

    public init(sensorID: String, startMs: Int64) {
        self.sensorID = sensorID
        self.startMs = startMs
        revision = 0
        points = [:]
    }

    /// A bucket folded from its stored segments (in any order); nil without any.
    public init?(segments: [Document]) {
        let ordered = segments.compactMap { d -> (Int64, Document)? in d["seq"]?.int64Value.map { ($0, d) } }.sorted { $0.0 < $1.0 }
        guard let first = ordered.first?.1, let sensorID = first["sensor_id"]?.stringValue,
              let startMs = first["start_ms"]?.int64Value
        else { return nil }
        self.init(sensorID: sensorID, startMs: startMs)
        for (seq, d) in ordered {
            revision = max(revision, seq)
            // A compacted bucket's base holds every point up to it (``baseSegment()``).
            if d["full"]?.boolValue == true { points = [:] }
            for (key, value) in d["p"]?.documentValue?.fields ?? [] {
                guard let offset = Int64(key), let point = value.documentValue else { continue }
                points[startMs + offset] = SeriesFieldNames.expand(point)
            }
        }
    }

    /// The bucket key segments share: `<sensor_id>|<start_ms, 13 digits>`.
    public var id: String { seriesKey(sensorID, startMs) }

    /// Every bucket of `segments`, folded, by bucket key.
    public static func fold(_ segments: [Document]) -> [String: SeriesBucket] {
        var grouped: [String: [Document]] = [:]
        for d in segments { if let key = d["bucket"]?.stringValue { grouped[key, default: []].append(d) } }
        return grouped.compactMapValues { SeriesBucket(segments: $0) }
    }

    /// Merges points of this bucket, in the order given (a point written twice in one call
    /// meets its own first version), by `rule`. Returns each one's outcome and the times
    /// whose stored point changed.
    public mutating func merge(
        _ incoming: [(tsMs: Int64, point: Document)], rule: SeriesRule
    ) -> (outcomes: [SeriesOutcome], changed: Set<Int64>) {
        var outcomes: [SeriesOutcome] = []
        var changed: Set<Int64> = []
        var added = 0
        outcomes.reserveCapacity(incoming.count)
        for (ts, point) in incoming {
            precondition(Self.start(of: ts) == startMs, "point at \(ts) is not in the bucket starting \(startMs)")
            let (merged, outcome) = rule.merge(stored: points[ts], incoming: point)
            if let merged {
                if points[ts] == nil { added += 1 }
                points[ts] = merged
                changed.insert(ts)
            }
            outcomes.append(outcome)
        }
        pendingAdded += added
        return (outcomes, changed)
    }

    /// The next segment: the points at `changed` as merged, inserted under `seq` one past
    /// this bucket's newest. Its `_id` is taken if another writer wrote that segment
    /// first: a duplicate key, the signal to read the bucket again and merge again.
    public func segment(changed: Set<Int64>) -> Document {
        let seq = revision + 1
        let digits = String(seq)
        var d: Document = [
            "_id": .string(id + "|" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits), "bucket": .string(id),
            "sensor_id": .string(sensorID), "start_ms": .int64(startMs), "seq": .int64(seq), "n": .int64(Int64(pendingAdded)),
        ]
        let sorted = changed.sorted()
        d["p"] = .document(Document(sorted.map { (String($0 - startMs), .document(SeriesFieldNames.compact(points[$0]!))) }))
        let received = sorted.compactMap { points[$0]?["received_ms"]?.int64Value }
        if let newest = received.max() { d["received_max"] = .int64(newest) }
        return d
    }

    /// The bucket compacted into one segment: every point, under the next `seq`, marked
    /// `full` (a reader's fold starts again from it), with `n` the bucket's point count.
    /// Once it is stored the segments before it may be deleted; until then a reader
    /// folds the same points either way.
    public func baseSegment() -> Document {
        var d = segment(changed: Set(points.keys))
        d["full"] = .bool(true)
        d["n"] = .int64(Int64(points.count))
        return d
    }

    /// After its segment was stored: the bucket as now stored.
    public mutating func stored() {
        revision += 1
        pendingAdded = 0
    }

    /// The points in `from...to`, in time order, each as the document a point was stored
    /// as before buckets (`_id`, `sensor_id`, `ts_ms`, then its fields): what readers decode.
    public func pointDocuments(from: Int64 = .min, to: Int64 = .max) -> [Document] {
        points.keys.filter { $0 >= from && $0 <= to }.sorted().map { pointDocument(at: $0) }
    }

    public func pointDocument(at ts: Int64) -> Document {
        let head: [(String, BSON)] = [("_id", .string(seriesKey(sensorID, ts))), ("sensor_id", .string(sensorID)), ("ts_ms", .int64(ts))]
        return Document(head + (points[ts]?.fields ?? []).map { ($0.key, $0.value) })
    }
}
