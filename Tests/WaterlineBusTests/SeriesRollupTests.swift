import Mongo
import Testing
@testable import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// Rollups of clean values and scores, kept by the stores that write the points, against
/// a real SecantusDB server.
@Suite(.serialized) struct SeriesRollupTests {
    /// 2023-11-14 00:00 UTC: a day start, so hours and days are easy to check.
    static let t0: Int64 = 1_699_920_000_000
    static let minute: Int64 = 60_000

    static func clean(_ sensor: String, _ ts: Int64, _ value: Double, revision: UInt32 = 1) -> Document {
        var p = CleanPoint()
        p.sensorID = sensor
        p.tsMs = ts
        p.value = value
        p.revision = revision
        return p.document
    }

    static func score(_ sensor: String, _ ts: Int64, _ anomaly: Double, revision: UInt32 = 1) -> Document {
        var s = Score()
        s.sensorID = sensor
        s.tsMs = ts
        s.anomalyScore = anomaly
        s.revision = revision
        return s.document
    }

    /// What the rollups must say: computed from the points as read back.
    struct Value: Sendable {
        var ts: Int64
        var value: Double
    }

    static func expected(_ points: [Value], step: Int64) -> [Int64: RollupSummary] {
        var out: [Int64: RollupSummary] = [:]
        for p in points { out[(p.ts - Self.t0) / step * step + Self.t0, default: RollupSummary()].add(p.value) }
        return out
    }

    @Test func rollupsSummariseTheStoredPointsAtEveryResolutionAndFollowCorrections() async throws {
        try await TestDatabase.withClient { client in
            let rollups = client.collection(Collections.rollups)
            let cleanStore = SeriesStore(client.collection(Collections.clean), rule: .clean, rollups: rollups)
            let scoreStore = SeriesStore(client.collection(Collections.scores), rule: .scores, rollups: rollups)
            // Two days and two hours of one-minute points, written in 90-minute batches
            // as a history import would, and scores beside them.
            let steps = 50 * 60
            let written = (0..<steps).map { Value(ts: Self.t0 + Int64($0) * Self.minute, value: Double(($0 * 37) % 101) - 20) }
            for start in stride(from: 0, to: steps, by: 90) {
                let batch = written[start..<min(steps, start + 90)]
                _ = try await cleanStore.write(batch.map { Self.clean("a", $0.ts, $0.value) }).checked("clean")
                _ = try await scoreStore.write(batch.map { Self.score("a", $0.ts, $0.value / 100) }).checked("scores")
            }
            // A correction of one point raises its hour's maximum and its score's.
            let correctedTs = written[70].ts
            let values = written.map { $0.ts == correctedTs ? Value(ts: $0.ts, value: 500) : $0 }
            _ = try await cleanStore.write([Self.clean("a", correctedTs, 500, revision: 2)]).checked("correction")
            _ = try await scoreStore.write([Self.score("a", correctedTs, 9, revision: 2)]).checked("rescore")
            try await cleanStore.rollups!.flush(all: true)
            try await scoreStore.rollups!.flush(all: true)

            let end = Self.t0 + Int64(steps) * Self.minute - 1
            for resolution in [SeriesResolution.fiveMinutes, .hour, .day] {
                let points = try await SeriesRollupWriter.read(rollups, sensorID: "a", from: Self.t0, to: end, resolution: resolution)
                let want = Self.expected(values, step: resolution.stepMs)
                #expect(points.map(\.tsMs) == want.keys.sorted(), "\(resolution)")
                for p in points {
                    let w = want[p.tsMs] ?? RollupSummary()
                    #expect(p.clean.count == w.count && p.clean.min == w.min && p.clean.max == w.max, "\(resolution) \(p.tsMs)")
                    #expect(abs(p.clean.sum - w.sum) < 1e-9)
                    #expect(p.scores.count == w.count)
                    let worst: Double = p.tsMs <= correctedTs && correctedTs < p.tsMs + resolution.stepMs ? 9 : w.max / 100
                    #expect(abs(p.scores.max - worst) < 1e-12, "\(resolution) \(p.tsMs)")
                }
            }
            let days = try await SeriesRollupWriter.read(rollups, sensorID: "a", from: Self.t0, to: end, resolution: .day)
            #expect(days.count == 3 && days[0].clean.count == 1440 && days[2].clean.count == 120)
            #expect(days[0].clean.max == 500 && days[0].scores.max == 9)
            // A range inside a day reads only its steps.
            let hours = try await SeriesRollupWriter.read(
                rollups, sensorID: "a", from: Self.t0 + 3_600_000, to: Self.t0 + 3 * 3_600_000 - 1, resolution: .hour)
            #expect(hours.map(\.tsMs) == [Self.t0 + 3_600_000, Self.t0 + 2 * 3_600_000])
            // One document per sensor and day.
            #expect(try await rollups.count() == 3)
        }
    }

    /// The live path writes a sensor's newest hour point by point: its rollup follows
    /// within the writer's interval, without anyone flushing.
    @Test func theNewestHourIsRolledUpWithinTheInterval() async throws {
        try await TestDatabase.withClient { client in
            let rollups = client.collection(Collections.rollups)
            let store = SeriesStore(client.collection(Collections.clean), rule: .clean, rollups: rollups, rollupInterval: .seconds(1))
            for step in 0..<5 { _ = try await store.write([Self.clean("live", Self.t0 + Int64(step) * Self.minute, Double(step))]).checked("live") }
            var points: [SeriesRollup.Point] = []
            var polls = 0
            while polls < 40 && points.first?.clean.count != 5 {
                polls += 1
                try await Task.sleep(for: .milliseconds(250))
                points = try await SeriesRollupWriter.read(rollups, sensorID: "live", from: Self.t0, to: Self.t0 + 3_600_000, resolution: .hour)
            }
            #expect(points.count == 1 && points[0].clean.count == 5 && points[0].clean.max == 4)
        }
    }

    /// A writer killed before it rolled up the hour it last wrote leaves a stale rollup;
    /// the next writer of that sensor (a restart, another replica) repairs the hour before
    /// the one it writes, and a stale writer never replaces a newer rollup.
    @Test func aLostRollupIsRepairedByTheNextWriterAndNeverGoesBack() async throws {
        try await TestDatabase.withClient { client in
            let rollups = client.collection(Collections.rollups)
            let source = client.collection(Collections.clean)
            // Points written by a store without rollups: a writer that died before its
            // rollup was written.
            _ = try await SeriesStore(source, rule: .clean).write((0..<10).map { Self.clean("k", Self.t0 + Int64($0) * Self.minute, 1) }).checked("lost")
            let next = SeriesStore(source, rule: .clean, rollups: rollups)
            _ = try await next.write([Self.clean("k", Self.t0 + 3_600_000, 2)]).checked("next hour")
            try await next.rollups!.flush(all: true)
            let hours = try await SeriesRollupWriter.read(rollups, sensorID: "k", from: Self.t0, to: Self.t0 + 7_200_000, resolution: .hour)
            #expect(hours.map(\.clean.count) == [10, 1])
            _ = try await next.write([Self.clean("k", Self.t0 + 10 * Self.minute, 1)]).checked("one more")
            try await next.rollups!.flush(all: true)
            // A stale writer (it merged the first hour before the newer point) changes nothing.
            let stale = SeriesRollupWriter(rollups, source: source, part: .clean)
            var old = SeriesBucket(sensorID: "k", startMs: Self.t0)
            _ = old.merge([(Self.t0, Self.clean("k", Self.t0, 1))], rule: .clean)
            old.stored()
            stale.changed(old)
            try await stale.flush(all: true)
            let after = try await SeriesRollupWriter.read(rollups, sensorID: "k", from: Self.t0, to: Self.t0 + 7_200_000, resolution: .hour)
            #expect(after.map(\.clean.count) == [11, 1])
        }
    }
}
