import Cleaning
import Foundation
import HistoryImport
import Mongo
import Simulation
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// Preprocess over real processes: a dirty replay, with preprocess killed (SIGKILL)
/// in the middle, ends with exactly the clean series the pure cleaner computes, each
/// slot once, corrections in place.
@Suite(.serialized, .timeLimit(.minutes(20))) struct CleaningEndToEndTests {
    @Test func aDirtyReplayWithACrashYieldsExactlyTheExpectedCleanSeries() async throws {
        let t = try await TestCluster.start("cleaning")
        defer { Task { await t.stop() } }
        let dirty = DirtyScenario(smallScenario(days: 2))
        let step = dirty.scenario.meta.stepMs
        let ingest = try t.ingestClient(timeout: .seconds(2))
        let replayer = Replayer(client: ingest)
        _ = try await replayer.registerSensors(of: dirty.scenario)

        // About 12 s of replay; preprocess is killed after 4 s and restarted.
        let speed = Double(2 * 86_400_000) / 12_000
        let replay = Task { try await replayer.replay(dirty.main, batchSize: 50, speed: speed) }
        try await Task.sleep(for: .seconds(4))
        // The premise: the slot of the reading sent while preprocess is down has been
        // cleaned before the crash (under the full suite's load preprocess can lag).
        let whileDown = try #require(dirty.lateWhileDown)
        #expect(try await t.eventually(timeout: .seconds(60)) {
            try await t.series(Collections.clean)!.find(whileDown.sensorId, from: whileDown.tsMs, to: whileDown.tsMs).count == 1
        })
        t.cluster.crash(.preprocess)
        #expect(await t.cluster.waitForExit(.preprocess, timeout: .seconds(10)), "preprocess survived SIGKILL")
        #expect(t.cluster.exitStatus(.preprocess) == 137, "killed by SIGKILL")
        let storedAtCrash = try await t.count(Collections.clean)
        // A reading for a slot cleaned hours ago arrives while preprocess is down: it
        // is cleaned in when preprocess is back.
        _ = try await replayer.replay([whileDown], batchSize: 1)
        try await t.cluster.startService(.preprocess)
        let stats = try await replay.value
        #expect(stats.rejected == 0)
        #expect(stats.duplicates == dirty.main.count - Set(dirty.main.map { "\($0.sensorId)|\($0.tsMs)" }).count)

        // Late rows and conflicting values, once the rest has been cleaned.
        let expected = dirty.expected()
        let expectedCount = expected.values.reduce(0) { $0 + $1.count }
        #expect(try await t.eventually(timeout: .seconds(120)) { try await t.count(Collections.clean) == expectedCount })
        let lateStats = try await replayer.replay(dirty.late, batchSize: 50)
        #expect(lateStats.accepted == dirty.late.count)
        // A device that says its unit: the value in kPa, cleaned in bar.
        let kPa = try #require(dirty.lateInKPa)
        var inKPa = SubmitReadingsRequest()
        var reading = Reading()
        reading.sensorID = kPa.sensorId
        reading.tsMs = kPa.tsMs
        reading.value = kPa.value * 100
        reading.unit = "kPa"
        inKPa.readings = [reading]
        #expect(try await ingest.call(IngestRPC.submitReadings, inKPa).accepted == 1)
        let conflictStats = try await replayer.replay(dirty.conflicts, batchSize: 50)
        #expect(conflictStats.accepted == dirty.conflicts.count && conflictStats.conflicts == dirty.conflicts.count)

        var mismatch = "not compared"
        let matched = try await t.eventually(timeout: .seconds(120)) {
            mismatch = try await firstMismatch(t, expected) ?? ""
            return mismatch.isEmpty
        }
        #expect(matched, "clean series differs: \(mismatch)")
        #expect(storedAtCrash > 0 && storedAtCrash < expectedCount, "the crash came mid-replay (\(storedAtCrash) of \(expectedCount))")

        // No gap and no duplicate: one point per slot, every slot from first to last.
        #expect(try await t.count(Collections.clean) == expectedCount)
        for sensor in expected.keys {
            let stored = try await storedSeries(t, sensor)
            let slots = stored.map(\.tsMs)
            #expect(slots == Array(stride(from: slots.first ?? 0, through: slots.last ?? -1, by: Int(step))), "\(sensor) has holes")
        }

        // What was injected is flagged where it was injected.
        for spike in dirty.spikes {
            let point = try #require(try await storedSeries(t, spike.sensor).first { $0.tsMs == spike.tsMs })
            #expect(point.flags.contains(.spike), "spike at \(spike.tsMs) not flagged")
            #expect(point.value != point.rawValue)
        }
        let stuck = try await storedSeries(t, dirty.stuck.sensor).filter { $0.tsMs >= dirty.stuck.from && $0.tsMs <= dirty.stuck.to }
        #expect(!stuck.isEmpty && stuck.allSatisfy { $0.flags.contains(.stuck) }, "the frozen run is flagged stuck as a whole")
        for r in dirty.late {
            let point = try #require(try await storedSeries(t, r.sensorId).first { $0.tsMs == r.tsMs })
            #expect(point.flags.contains(.late) && point.revision > 1 && point.rawValue == r.value, "late row \(r): \(point)")
        }
        let missed = try #require(try await storedSeries(t, whileDown.sensorId).first { $0.tsMs == whileDown.tsMs })
        #expect(missed.rawValue == whileDown.value && missed.flags.contains(.late) && missed.revision > 1, "\(missed)")
        let converted = try #require(try await storedSeries(t, kPa.sensorId).first { $0.tsMs == kPa.tsMs })
        #expect(converted.rawValue.map { abs($0 - kPa.value) < 1e-9 } == true, "kPa reading cleaned in bar: \(converted)")
        for r in dirty.conflicts {
            let point = try #require(try await storedSeries(t, r.sensorId).first { $0.tsMs == r.tsMs })
            #expect(point.flags.contains(.conflict) && point.rawValue == r.value && point.revision > 1)
            let raw = try await t.series(Collections.readings)!.find(r.sensorId, from: r.tsMs, to: r.tsMs).first
            #expect(raw?["value"]?.doubleValue == r.value)
            #expect(raw?["superseded"] != nil, "the replaced value is kept")
        }
        await ingest.close()
        await t.stop()
    }

    private func storedSeries(_ t: TestCluster, _ sensor: String) async throws -> [CleanSample] {
        try await t.series(Collections.clean)!.find(sensor, from: 0, to: Int64.max / 2).map { CleanPoint(document: $0).sample }
    }

    /// Describes the first difference between MongoDB and the expected series, if any.
    private func firstMismatch(_ t: TestCluster, _ expected: [String: [CleanSample]]) async throws -> String? {
        for (sensor, points) in expected.sorted(by: { $0.key < $1.key }) {
            let stored = try await storedSeries(t, sensor)
            guard stored.count == points.count else { return "\(sensor): \(stored.count) points stored, \(points.count) expected" }
            for (s, e) in zip(stored, points) where !s.sameContent(as: e) {
                return "\(sensor) at \(e.tsMs): stored \(s), expected \(e)"
            }
        }
        return nil
    }
}
