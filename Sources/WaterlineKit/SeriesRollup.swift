import Mongo
import WaterlineProto

/// The resolutions a chart reads a series at: every point, or summaries per 5 minutes,
/// hour or day (``SeriesRollup``).
public enum SeriesResolution: String, Sendable, CaseIterable {
    case raw
    case fiveMinutes = "5m"
    case hour = "1h"
    case day = "1d"

    public var stepMs: Int64 {
        switch self {
        case .raw: 0
        case .fiveMinutes: 300_000
        case .hour: 3_600_000
        case .day: 86_400_000
        }
    }

    /// The resolution for a chart of a range when the caller names none: every point
    /// (with its forecast band and anomalies) up to eight days, then summaries, at most
    /// about nine thousand of them.
    public static func pick(fromMs: Int64, toMs: Int64) -> SeriesResolution {
        let span = toMs - fromMs
        if span <= 8 * 86_400_000 { return .raw }
        if span <= 31 * 86_400_000 { return .fiveMinutes }
        if span <= 366 * 86_400_000 { return .hour }
        return .day
    }
}

/// Count, minimum, maximum and sum of a set of values: a rollup's summary of clean
/// values or of anomaly scores (the worst score is the maximum).
public struct RollupSummary: Sendable, Equatable {
    public var count: Int64 = 0
    public var min = Double.infinity
    public var max = -Double.infinity
    public var sum = 0.0

    public init() {}

    public var mean: Double { count == 0 ? .nan : sum / Double(count) }

    public mutating func add(_ x: Double) {
        guard x.isFinite else { return }
        count += 1
        min = Swift.min(min, x)
        max = Swift.max(max, x)
        sum += x
    }

    public mutating func merge(_ other: RollupSummary) {
        guard other.count > 0 else { return }
        count += other.count
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        sum += other.sum
    }

    /// Packed as 32 bytes: count (Int64), min, max, sum (Float64), little-endian.
    static let packedSize = 32

    func pack(into bytes: inout [UInt8]) {
        for word in [UInt64(bitPattern: count), min.bitPattern, max.bitPattern, sum.bitPattern] {
            withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    /// The summary packed at `offset` of `bytes` (empty when out of range).
    init(packed bytes: [UInt8], at offset: Int) {
        guard offset >= 0, offset + Self.packedSize <= bytes.count else { return }
        func word(_ i: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + i * 8 + $1]) << (8 * UInt64($1)) }
        }
        let n = Int64(bitPattern: word(0))
        guard n > 0 else { return }
        (count, min, max, sum) = (n, Double(bitPattern: word(1)), Double(bitPattern: word(2)), Double(bitPattern: word(3)))
    }

    /// Summaries packed one after another, as stored (binary).
    static func packed(_ summaries: [RollupSummary]) -> BSON {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(summaries.count * packedSize)
        for s in summaries { s.pack(into: &bytes) }
        return .binary(bytes)
    }

    static func unpacked(_ bson: BSON?) -> [RollupSummary] {
        guard let bytes = bson?.binaryValue else { return [] }
        return stride(from: 0, to: bytes.count - packedSize + 1, by: packedSize).map { RollupSummary(packed: bytes, at: $0) }
    }
}

/// Chart summaries of the series, kept beside the buckets in `rollups`: one document per
/// sensor and UTC day, `{_id: "<sensor_id>|<day_ms, 13 digits>", sensor_id, day_ms}` with,
/// for each part (`c`: clean values, by preprocess; `s`: anomaly scores, by model), per
/// hour of the day (`"0"`…`"23"`): the hour's summary in `<part>.<h>`, its twelve
/// 5-minute summaries in `<part>5.<h>` (both packed binary, ``RollupSummary``), and the
/// `seq` of the bucket segment they were computed from in `<part>q.<h>` (a write never
/// replaces a newer hour with an older one).
///
/// Why a document per day holding hours: a year of one sensor at `1h` is 365 documents,
/// against 8,760 hour documents (about 750 ms on SecantusDB). Why packed: the same 365
/// days with the summaries as nested arrays read in 205 ms, packed in 24 ms (SecantusDB
/// builds every array element; MongoDB's own time-series buckets pack columns too).
public enum SeriesRollup {
    public enum Part: String, Sendable {
        case clean = "c"
        case scores = "s"

        /// The value a point of this part is summarised by.
        func value(of point: Document) -> Double? {
            switch self {
            case .clean: point["value"]?.doubleValue
            case .scores: (point["corrected"]?.documentValue ?? point)["anomaly_score"]?.doubleValue
            }
        }
    }

    public static let dayMs: Int64 = 86_400_000
    static let binMs: Int64 = 300_000

    public static func dayStart(of tsMs: Int64) -> Int64 {
        tsMs >= 0 ? tsMs / dayMs * dayMs : (tsMs - dayMs + 1) / dayMs * dayMs
    }

    /// `<sensor_id>|<day_ms, 13 digits>`.
    public static func documentID(_ sensorID: String, dayMs: Int64) -> String { seriesKey(sensorID, dayMs) }

    /// A bucket's hour summary and its twelve 5-minute summaries.
    static func summaries(of bucket: SeriesBucket, part: Part) -> (hour: RollupSummary, bins: [RollupSummary]) {
        var hour = RollupSummary()
        var bins = Array(repeating: RollupSummary(), count: Int(SeriesBucket.spanMs / binMs))
        for (ts, point) in bucket.points {
            guard let x = part.value(of: point) else { continue }
            hour.add(x)
            bins[Int((ts - bucket.startMs) / binMs)].add(x)
        }
        return (hour, bins)
    }

    /// The fields a bucket's rollup sets in its day document, and the condition that
    /// the stored hour is older (`{"<p>q.<h>": {$not: {$gte: seq}}}`: absent or older; a
    /// plain field condition beside `_id`, which SecantusDB serves from the `_id` index
    /// where an `$and` of `$or`s made it scan the collection: 22 ms an update at 2,000
    /// day documents, against 1 ms).
    static func update(for bucket: SeriesBucket, part: Part) -> (set: [(String, BSON)], newer: (String, BSON)) {
        let h = String((bucket.startMs - dayStart(of: bucket.startMs)) / SeriesBucket.spanMs)
        let (hour, bins) = summaries(of: bucket, part: part)
        let p = part.rawValue
        let seq = BSON.int64(bucket.revision)
        return (
            [("\(p).\(h)", RollupSummary.packed([hour])), ("\(p)5.\(h)", RollupSummary.packed(bins)), ("\(p)q.\(h)", seq)],
            ("\(p)q.\(h)", ["$not": ["$gte": seq]])
        )
    }

    /// One point of a chart at a resolution coarser than raw.
    public struct Point: Sendable, Equatable {
        public var tsMs: Int64
        public var clean = RollupSummary()
        public var scores = RollupSummary()
    }

    /// The points of `from...to` (by their start) at `resolution` (not `.raw`), from the
    /// day documents of that range, in time order; steps without data are left out.
    public static func points(_ days: [Document], resolution: SeriesResolution, from: Int64, to: Int64) -> [Point] {
        precondition(resolution != .raw, "raw points are read from the series")
        var byStart: [Int64: Point] = [:]
        func add(_ ts: Int64, _ summary: RollupSummary, _ part: Part) {
            guard summary.count > 0 else { return }
            let start = resolution == .day ? dayStart(of: ts) : ts
            guard start + resolution.stepMs > from, start <= to else { return }
            switch part {
            case .clean: byStart[start, default: Point(tsMs: start)].clean.merge(summary)
            case .scores: byStart[start, default: Point(tsMs: start)].scores.merge(summary)
            }
        }
        for day in days {
            guard let dayMs = day["day_ms"]?.int64Value else { continue }
            for part in [Part.clean, .scores] {
                let key = resolution == .fiveMinutes ? part.rawValue + "5" : part.rawValue
                for (h, value) in day[key]?.documentValue?.fields ?? [] {
                    guard let hour = Int64(h) else { continue }
                    let hourStart = dayMs + hour * SeriesBucket.spanMs
                    for (i, summary) in RollupSummary.unpacked(value).enumerated() {
                        add(hourStart + Int64(i) * binMs, summary, part)
                    }
                }
            }
        }
        return byStart.values.sorted { $0.tsMs < $1.tsMs }
    }
}

extension RollupPoint {
    /// A rollup point on the wire (NaN-free: an empty part is a zero count).
    public init(_ point: SeriesRollup.Point) {
        self.init()
        tsMs = point.tsMs
        count = UInt64(point.clean.count)
        if point.clean.count > 0 {
            min = point.clean.min
            mean = point.clean.mean
            max = point.clean.max
        }
        scoreCount = UInt64(point.scores.count)
        if point.scores.count > 0 { worstScore = point.scores.max }
    }
}
