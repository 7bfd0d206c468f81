import Mongo
import Simulation
import Testing
import WaterlineKit
import WaterlineProto

/// A raw reading as ingest stores it.
func readingDocument(_ sensor: String, _ ts: Int64, _ value: Double, received: Int64, traceID: String = "") -> Document {
    var r = RawReading()
    r.sensorID = sensor
    r.tsMs = ts
    r.value = value
    r.receivedMs = received
    r.traceID = traceID
    return r.document
}

/// The merge rules of the bucketed series, without a database.
@Suite struct SeriesBucketTests {
    static let t0: Int64 = 1_700_000_000_000

    func reading(_ sensor: String, _ ts: Int64, _ value: Double, received: Int64 = 1) -> Document {
        readingDocument(sensor, ts, value, received: received)
    }

    func clean(_ sensor: String, _ ts: Int64, _ value: Double, revision: UInt32) -> Document {
        var p = CleanPoint()
        p.sensorID = sensor
        p.tsMs = ts
        p.value = value
        p.revision = revision
        return p.document
    }

    func score(_ sensor: String, _ ts: Int64, _ value: Double, revision: UInt32) -> Document {
        var s = Score()
        s.sensorID = sensor
        s.tsMs = ts
        s.value = value
        s.anomalyScore = value / 10
        s.revision = revision
        return s.document
    }

    /// Applies writes to buckets the way `SeriesStore` does: each batch grouped by bucket,
    /// in order within a bucket, the buckets in a shuffled order; each change stored as
    /// the bucket's next segment, and each bucket read back by folding its segments.
    func apply(
        _ batches: [[Document]], rule: SeriesRule, shuffleBuckets: inout SeededGenerator
    ) -> (buckets: [String: SeriesBucket], outcomes: [SeriesOutcome]) {
        var segments: [String: [Document]] = [:]
        var outcomes: [SeriesOutcome] = []
        for batch in batches {
            var groups: [String: [(Int, Int64, Document)]] = [:]
            for (i, d) in batch.enumerated() {
                let sensor = d["sensor_id"]!.stringValue!, ts = d["ts_ms"]!.int64Value!
                var point = d
                for key in ["_id", "sensor_id", "ts_ms"] { point[key] = nil }
                groups[seriesKey(sensor, SeriesBucket.start(of: ts)), default: []].append((i, ts, point))
            }
            var batchOutcomes = Array(repeating: SeriesOutcome.duplicate, count: batch.count)
            for id in groups.keys.sorted().shuffled(using: &shuffleBuckets) {
                let items = groups[id]!
                let sensor = String(id.split(separator: "|")[0])
                var bucket = segments[id].flatMap { SeriesBucket(segments: $0) }
                    ?? SeriesBucket(sensorID: sensor, startMs: SeriesBucket.start(of: items[0].1))
                let (o, changed) = bucket.merge(items.map { ($0.1, $0.2) }, rule: rule)
                for (item, outcome) in zip(items, o) { batchOutcomes[item.0] = outcome }
                if !changed.isEmpty { segments[id, default: []].append(bucket.segment(changed: changed)) }
            }
            outcomes += batchOutcomes
        }
        return (segments.compactMapValues { SeriesBucket(segments: $0.shuffled(using: &shuffleBuckets)) }, outcomes)
    }

    func points(_ buckets: [String: SeriesBucket]) -> [Document] {
        buckets.keys.sorted().flatMap { buckets[$0]!.pointDocuments() }
    }

    @Test func aResentReadingIsADuplicateAndADifferentValueReplacesItKeepingTheOld() {
        var rng = SeededGenerator(seed: 1)
        let first = reading("s", Self.t0, 1.5, received: 10)
        let (buckets, outcomes) = apply(
            [[first, first], [reading("s", Self.t0, 2.5, received: 20)], [first]], rule: .readings, shuffleBuckets: &rng)
        #expect(outcomes == [.stored, .duplicate, .replaced, .replaced])
        let stored = points(buckets)
        #expect(stored.count == 1)
        let live = RawReading(document: stored[0])
        #expect(live.value == 1.5 && live.conflict && live.sensorID == "s" && live.tsMs == Self.t0)
        let superseded = stored[0]["superseded"]?.arrayValue?.compactMap { $0.documentValue?["value"]?.doubleValue }
        #expect(superseded == [1.5, 2.5])
    }

    @Test func aCorrectionReplacesACleanPointAndAnOlderOneDoesNot() {
        var rng = SeededGenerator(seed: 2)
        let (buckets, outcomes) = apply(
            [[clean("s", Self.t0, 1, revision: 1)], [clean("s", Self.t0, 2, revision: 3)],
             [clean("s", Self.t0, 9, revision: 2), clean("s", Self.t0, 1, revision: 1)]],
            rule: .clean, shuffleBuckets: &rng)
        #expect(outcomes == [.stored, .replaced, .duplicate, .duplicate])
        let live = CleanPoint(document: points(buckets)[0])
        #expect(live.value == 2 && live.revision == 3)
        // The first version is kept beside the live one.
        let first = points(buckets)[0]["first"]?.documentValue.map(CleanPoint.init(document:))
        #expect(first?.value == 1 && first?.revision == 1)
    }

    @Test func theFirstVersionOfACorrectedPointIsKeptInWhateverOrderTheyAreWritten() {
        var rng = SeededGenerator(seed: 4)
        // The correction first (a write that overtook the first version), then the first.
        let (overtaken, outcomes) = apply(
            [[clean("s", Self.t0, 5, revision: 2)], [clean("s", Self.t0, 4, revision: 1)], [clean("s", Self.t0, 4, revision: 1)]],
            rule: .clean, shuffleBuckets: &rng)
        #expect(outcomes == [.replaced, .replaced, .duplicate])
        let (inOrder, _) = apply(
            [[clean("s", Self.t0, 4, revision: 1)], [clean("s", Self.t0, 5, revision: 2)]], rule: .clean, shuffleBuckets: &rng)
        #expect(points(overtaken) == points(inOrder))
        let stored = points(inOrder)[0]
        #expect(CleanPoint(document: stored).value == 5)
        #expect(stored["first"]?.documentValue.map(CleanPoint.init(document:))?.value == 4)
        // Resent as it stands, the correction changes nothing.
        let (resent, again) = apply(
            [[clean("s", Self.t0, 4, revision: 1)], [clean("s", Self.t0, 5, revision: 2)], [clean("s", Self.t0, 5, revision: 2)]],
            rule: .clean, shuffleBuckets: &rng)
        #expect(again == [.stored, .replaced, .duplicate])
        #expect(points(resent) == points(inOrder))
    }

    @Test func aScoreCorrectionIsKeptBesideTheFirstRevision() {
        var rng = SeededGenerator(seed: 3)
        let (buckets, outcomes) = apply(
            [[score("s", Self.t0, 1, revision: 1), score("s", Self.t0, 4, revision: 2)], [score("s", Self.t0, 1, revision: 1)],
             [score("t", Self.t0, 7, revision: 2)]],
            rule: .scores, shuffleBuckets: &rng)
        #expect(outcomes == [.stored, .replaced, .duplicate, .replaced])
        let stored = points(buckets)
        #expect(Score(firstRevisionOf: stored[0]).value == 1 && Score(document: stored[0]).value == 4)
        #expect(Score(document: stored[0]).sensorID == "s" && Score(document: stored[0]).tsMs == Self.t0)
        // A correction whose first was never stored stands in for it.
        #expect(Score(firstRevisionOf: stored[1]).value == 7 && Score(document: stored[1]).revision == 2)
    }

    @Test func aBucketIsWrittenAsSegmentsOfWhatEachWriteChanged() {
        let start = SeriesBucket.start(of: Self.t0 + 5)
        #expect(start % SeriesBucket.spanMs == 0 && start <= Self.t0 + 5 && Self.t0 + 5 < start + SeriesBucket.spanMs)
        var bucket = SeriesBucket(sensorID: "s", startMs: start)
        let (_, changed) = bucket.merge([(start + 120_000, ["value": 2.0]), (start, ["value": 1.0])], rule: .readings)
        let first = bucket.segment(changed: changed)
        #expect(first["_id"] == .string("s|\(start)|000001") && first["seq"] == .int64(1) && first["n"] == .int64(2))
        #expect(first["p"]?.documentValue?.keys == ["0", "120000"] && first["p"]?.documentValue?["0"] == ["v": 1.0])
        bucket.stored()
        let (_, next) = bucket.merge([(start, ["value": 1.5]), (start + 60_000, ["value": 3.0])], rule: .readings)
        let second = bucket.segment(changed: next)
        #expect(second["seq"] == .int64(2) && second["n"] == .int64(1) && second["p"]?.documentValue?.keys == ["0", "60000"])
        let folded = SeriesBucket(segments: [second, first])!
        #expect(folded.revision == 2 && folded.pointDocuments().map { $0["ts_ms"]!.int64Value! } == [start, start + 60_000, start + 120_000])
        #expect(folded.pointDocuments(from: start + 1).count == 2 && folded.pointDocuments()[0]["value"] == .double(1.5))
    }

    /// The property: whatever the interleaving of points (late ones, resent ones,
    /// conflicting values, corrections), however it is cut into batches and whatever order
    /// a batch's buckets are written in, the buckets equal those of one ordered pass, as
    /// long as each point's own versions keep their order.
    @Test(arguments: [SeriesRule.readings, .clean, .scores]) func anyInterleavingGivesTheBucketsOfOneOrderedPass(rule: SeriesRule) {
        for seed in 1...40 {
            var rng = SeededGenerator(seed: UInt64(seed) * 7919)
            // Per point, its versions in the order they are sent: repeats (duplicates),
            // other values (conflicts) or higher revisions (corrections).
            var versions: [[Document]] = []
            for sensor in ["a", "b", "c"] {
                for step in 0..<Int(rng.next() % 150 + 20) where rng.next() % 5 != 0 {
                    let ts = Self.t0 + Int64(step) * 60_000
                    var list: [Document] = []
                    var revision: UInt32 = 1
                    var value = Double(rng.next() % 100)
                    for _ in 0..<Int(rng.next() % 4 + 1) {
                        switch rng.next() % 3 {
                        case 0: break  // the same again
                        case 1: value = Double(rng.next() % 100)
                        default: revision += 1; value = Double(rng.next() % 100)
                        }
                        switch rule {
                        case .readings: list.append(reading(sensor, ts, value, received: Int64(list.count)))
                        case .clean: list.append(clean(sensor, ts, value, revision: revision))
                        case .scores: list.append(score(sensor, ts, value, revision: revision))
                        }
                    }
                    versions.append(list)
                }
            }
            let ordered = versions.flatMap { $0 }
            var interleaved: [Document] = []
            var next = Array(repeating: 0, count: versions.count)
            var open = Array(versions.indices)
            while !open.isEmpty {
                let pick = Int(rng.next() % UInt64(open.count))
                let p = open[pick]
                interleaved.append(versions[p][next[p]])
                next[p] += 1
                if next[p] == versions[p].count { open.remove(at: pick) }
            }
            var batches: [[Document]] = []
            var index = 0
            while index < interleaved.count {
                let size = Int(rng.next() % 300 + 1)
                batches.append(Array(interleaved[index..<min(interleaved.count, index + size)]))
                index += size
            }
            var order = SeededGenerator(seed: UInt64(seed))
            let reference = apply([ordered], rule: rule, shuffleBuckets: &order)
            let result = apply(batches, rule: rule, shuffleBuckets: &order)
            #expect(points(result.buckets) == points(reference.buckets), "seed \(seed)")
            #expect(result.outcomes.count { $0 != .duplicate } >= Set(ordered.map { $0["_id"]! .stringValue! }).count)
        }
    }
}

