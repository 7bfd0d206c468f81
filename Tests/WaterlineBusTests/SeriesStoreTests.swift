import Mongo
import Simulation
import Testing
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// The bucketed series against a real SecantusDB server.
@Suite(.serialized) struct SeriesStoreTests {
    static let t0: Int64 = 1_700_000_000_000

    func reading(_ sensor: String, _ ts: Int64, _ value: Double, received: Int64 = 1) -> Document {
        readingDocument(sensor, ts, value, received: received, traceID: "t-\(ts)")
    }

    @Test func writesAreIdempotentConflictsKeptAndReadsReturnThePointsAsStoredBefore() async throws {
        try await TestDatabase.withClient { client in
            let store = SeriesStore(client.collection("readings"), rule: .readings)
            // Three hours of one-minute readings of two sensors, sent out of order.
            var batch: [Document] = []
            for step in (0..<180).reversed() {
                for sensor in ["a", "b"] { batch.append(reading(sensor, Self.t0 + Int64(step) * 60_000, Double(step), received: 5)) }
            }
            let first = try await store.write(batch).checked("write")
            #expect(first.count(.stored) == 360)
            // Resent: nothing changes, whoever resends (a second store has no cache).
            let again = try await SeriesStore(client.collection("readings"), rule: .readings).write(batch).checked("resend")
            #expect(again.count(.duplicate) == 360)
            #expect(try await store.countPoints() == 360)
            #expect(try await client.collection("readings").count() <= 2 * 4)  // an hour per bucket
            // A conflicting value replaces the stored one and keeps it.
            let conflict = try await store.write([reading("a", Self.t0 + 60_000, 99, received: 9)]).checked("conflict")
            #expect(conflict.outcomes == [.replaced])
            let read = try await store.find("a", from: Self.t0, to: Self.t0 + 179 * 60_000)
            #expect(read.count == 180 && read.map { $0["ts_ms"]!.int64Value! } == (0..<180).map { Self.t0 + Int64($0) * 60_000 })
            let replaced = RawReading(document: read[1])
            #expect(replaced.value == 99 && replaced.conflict && replaced.receivedMs == 9 && replaced.traceID == "t-\(Self.t0 + 60_000)")
            #expect(read[1]["superseded"]?.arrayValue?.first?.documentValue?["value"] == .double(1))
            #expect(read[1]["_id"] == .string(seriesKey("a", Self.t0 + 60_000)))
            // Ranges and limits cut inside buckets.
            #expect(try await store.find("a", from: Self.t0 + 30 * 60_000, to: Self.t0 + 89 * 60_000).count == 60)
            #expect(try await store.find("a", from: Self.t0, to: .max / 2, limit: 7).count == 7)
            #expect(try await store.newest("b")?["ts_ms"] == .int64(Self.t0 + 179 * 60_000))
            #expect(try await store.newest("nobody") == nil)
            // Readings received after a time, for times before another.
            let late = try await store.received("a", after: 5, before: Self.t0 + 120 * 60_000)
            #expect(late.map { $0["ts_ms"]!.int64Value! } == [Self.t0 + 60_000])
        }
    }

    /// Writers with their own caches (replicas) write overlapping batches into the same
    /// buckets at once: every point is stored once, every value written is either live or
    /// kept as superseded, and the counts hold.
    @Test func concurrentWritersNeverLoseEachOthersPoints() async throws {
        try await TestDatabase.withClient { client in
            let writers = 4
            let written = try await withThrowingTaskGroup(of: [Document].self) { group in
                for w in 0..<writers {
                    group.addTask {
                        let store = SeriesStore(client.collection("readings"), rule: .readings)
                        var rng = SeededGenerator(seed: UInt64(w + 1))
                        var all: [Document] = []
                        for _ in 0..<12 {
                            // 40 readings of 2 sensors in the same two hours; values collide
                            // across writers (the same value: duplicates; another: conflicts).
                            let batch = (0..<40).map { _ in
                                reading(rng.next() % 2 == 0 ? "a" : "b", Self.t0 + Int64(rng.next() % 120) * 60_000, Double(rng.next() % 3))
                            }
                            _ = try await store.write(batch).checked("write")
                            all += batch
                        }
                        return all
                    }
                }
                var all: [Document] = []
                for try await batch in group { all += batch }
                return all
            }
            let store = SeriesStore(client.collection("readings"), rule: .readings)
            var valuesWritten: [String: Set<Double>] = [:]
            for d in written { valuesWritten[d["_id"]!.stringValue!, default: []].insert(d["value"]!.doubleValue!) }
            let stored = try await store.points()
            #expect(stored.count == valuesWritten.count)
            #expect(try await store.countPoints() == valuesWritten.count)
            for point in stored {
                let id = point["_id"]!.stringValue!
                var seen: Set<Double> = [point["value"]!.doubleValue!]
                for s in point["superseded"]?.arrayValue ?? [] { seen.insert(s.documentValue!["value"]!.doubleValue!) }
                #expect(seen == valuesWritten[id], "\(id)")
            }
        }
    }

    @Test func aCleanCorrectionReplacesTheLiveVersionAndAScoreCorrectionSitsBesideTheFirst() async throws {
        try await TestDatabase.withClient { client in
            let clean = SeriesStore(client.collection("clean"), rule: .clean)
            var p = CleanPoint()
            p.sensorID = "a"
            p.tsMs = Self.t0
            p.value = 1
            p.revision = 1
            var corrected = p
            corrected.value = 2
            corrected.revision = 2
            #expect(try await clean.write([p.document]).checked("first").outcomes == [.stored])
            #expect(try await clean.write([corrected.document, p.document]).checked("correction").outcomes == [.replaced, .duplicate])
            #expect(try await clean.find("a", from: 0, to: .max / 2).map(CleanPoint.init(document:)) == [corrected])

            let scores = SeriesStore(client.collection("scores"), rule: .scores)
            var s = Score()
            s.sensorID = "a"
            s.tsMs = Self.t0
            s.value = 1
            s.revision = 1
            var rescored = s
            rescored.value = 3
            rescored.revision = 2
            #expect(try await scores.write([s.document, rescored.document, s.document]).checked("scores").outcomes == [.stored, .replaced, .duplicate])
            let stored = try #require(try await scores.find("a", from: 0, to: .max / 2).first)
            #expect(Score(firstRevisionOf: stored) == s && Score(document: stored) == rescored)
        }
    }

    /// The live path writes one segment per point; with compaction on (one writer alone),
    /// a bucket the writer moved on from is compacted into one, and reads, counts and later
    /// writes see the same points.
    @Test func aBucketLeftBehindIsCompactedIntoOneSegmentAndReadsTheSame() async throws {
        try await TestDatabase.withClient { client in
            let collection = client.collection("readings")
            let store = SeriesStore(collection, rule: .readings, compact: true)
            for step in 0..<125 { _ = try await store.write([reading("a", Self.t0 + Int64(step) * 60_000, Double(step))]).checked("live") }
            #expect(try await store.countPoints() == 125)
            let buckets = Set((0..<125).map { SeriesBucket.start(of: Self.t0 + Int64($0) * 60_000) }).sorted()
            #expect(buckets.count == 3)
            let left = buckets.dropLast().map { seriesKey("a", $0) }
            let deadline = ContinuousClock.now + .seconds(30)
            var compacted = false
            while !compacted && ContinuousClock.now < deadline {
                compacted = try await collection.count(["bucket": ["$in": .array(left.map { .string($0) })]]) == 2
                if !compacted { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(compacted, "the two hours left behind are one segment each")
            #expect(try await collection.count(["bucket": .string(seriesKey("a", buckets[2]))]) > 1, "the newest hour is not compacted")
            #expect(try await store.countPoints() == 125)
            let read = try await store.find("a", from: Self.t0, to: .max / 2)
            #expect(read.map { $0["value"]?.doubleValue ?? -1 } == (0..<125).map(Double.init))
            // A late conflicting reading in a compacted hour, through a store without a cache.
            let late = try await SeriesStore(collection, rule: .readings).write([reading("a", Self.t0 + 60_000, 99)]).checked("late")
            #expect(late.outcomes == [.replaced])
            let again = try await store.find("a", from: Self.t0 + 60_000, to: Self.t0 + 60_000)
            #expect(again.first?["value"] == .double(99) && again.first?["superseded"]?.arrayValue?.count == 1)
            #expect(try await store.countPoints() == 125)
        }
    }
}
