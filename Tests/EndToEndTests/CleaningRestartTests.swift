import Cleaning
import Forecasting
import Foundation
import HistoryImport
import Mongo
import Simulation
import Testing
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// A preprocess stopped between two batches, with the next day stored while it is down,
/// cleans on as if it had not stopped: the readings of the last batch it cleaned are not taken for late ones
/// (which marked them late and stored them again as corrections, and on the L-Town
/// import re-stored every point after them: the events then differed), and the day stored
/// while it was down goes out as the live stream would have carried it — the same first
/// versions, the corrections after them — not merged by a rebuild (the model learns from
/// first versions: merged ones made the events after a restart differ).
@Suite(.serialized, .timeLimit(.minutes(20))) struct CleaningRestartTests {
    @Test func aStopBetweenBatchesTakesNoReadingForLate() async throws {
        let t = try await TestCluster.start("clean-restart")
        defer { Task { await t.stop() } }
        var config = SimulationConfig()
        config.days = 2
        config.stepMs = 300_000
        config.injectEvents = false
        config.duplicateRate = 0
        config.lateRows = 0
        let scenario = Simulator.run(config)
        let replayer = Replayer(client: try t.ingestClient(timeout: .seconds(10)))
        _ = try await replayer.registerSensors(of: scenario)
        let half = scenario.meta.startMs + 86_400_000
        let first = scenario.readings.filter { $0.tsMs < half }
        let second = scenario.readings.filter { $0.tsMs >= half }
        _ = try await replayer.replay(first, batchSize: 2000)
        let clean = try #require(t.series(Collections.clean))
        // All but the few points each sensor holds for its spike window are stored.
        #expect(try await t.eventually(timeout: .seconds(120)) {
            try await clean.countPoints() >= first.count - scenario.sensors.count * 4
        })

        // Stopped, and the second day stored while it is down: on its start it has the
        // readings of the last batch it cleaned within the search margin and a day to
        // catch up, as after a stop in the middle of an import.
        // The model stops with it: warmed again from what it scored, it must forecast as
        // if it had not stopped.
        t.cluster.signal(.preprocess, SIGTERM)
        t.cluster.signal(.model, SIGTERM)
        #expect(await t.cluster.waitForExit(.preprocess, timeout: .seconds(30)))
        #expect(await t.cluster.waitForExit(.model, timeout: .seconds(30)))
        _ = try await replayer.replay(second, batchSize: 2000)
        try await t.cluster.startService(.preprocess)
        try await t.cluster.startService(.model)
        #expect(try await t.eventually(timeout: .seconds(120)) { try await clean.countPoints() == scenario.readings.count })

        // The only corrections are the cleaner's own (a spike told once its window is
        // whole), as in a run without the stop; nothing is marked late.
        let points = try await clean.points()
        let late = points.filter { (($0["flags"]?.int64Value ?? 0) & 16) != 0 }
        let corrected = points.filter { ($0["revision"]?.int64Value ?? 0) != 1 }
        #expect(points.count == scenario.readings.count)
        #expect(late.isEmpty, "\(late.count) points marked late, e.g. \(late.prefix(2))")
        #expect(corrected.allSatisfy { (($0["flags"]?.int64Value ?? 0) & 64) != 0 }, "\(corrected.filter { (($0["flags"]?.int64Value ?? 0) & 64) == 0 }.prefix(2))")

        // The first versions the model scored (its scores' first revisions) are those of
        // one cleaner that saw every reading in order, the second day included; the last
        // hour is left out (flushed by the idle timer, not judged by later readings).
        let scores = try #require(t.series(Collections.scores))
        #expect(try await t.eventually(timeout: .seconds(120)) { try await scores.countPoints() == scenario.readings.count })
        let reference = Self.firstVersions(scenario)
        let forecasts = Self.forecasts(of: reference)
        let checkedUntil = scenario.readings.map(\.tsMs).max()! - 3_600_000
        var compared = 0
        var differing: [String] = []
        for d in try await scores.points() {
            let score = Score(firstRevisionOf: d)
            guard score.tsMs >= half, score.tsMs < checkedUntil else { continue }
            let expected = try #require(reference[score.sensorID]?[score.tsMs], "no reference point for \(score.sensorID) at \(score.tsMs)")
            compared += 1
            let value = expected.value ?? 0
            if abs(score.value - value) > 1e-9 * max(1, abs(value)) || score.flags != expected.flags.rawValue {
                differing.append("\(score.sensorID)@\(score.tsMs): scored \(score.value) flags \(score.flags), in order \(value) flags \(expected.flags.rawValue)")
            } else if let forecast = forecasts[score.sensorID]?[score.tsMs], abs(score.forecastMean - forecast) > 1e-9 * max(1, abs(forecast)) {
                differing.append("\(score.sensorID)@\(score.tsMs): forecast \(score.forecastMean), without the stop \(forecast)")
            }
        }
        #expect(compared > (second.count * 9) / 10)
        #expect(differing.isEmpty, "\(differing.count) first versions differ, e.g. \(differing.prefix(3))")
    }

    /// Each sensor's forecasts by slot from the model's baseline scorer (default
    /// threshold) that scored the first versions in order and never stopped.
    static func forecasts(of firstVersions: [String: [Int64: CleanSample]]) -> [String: [Int64: Double]] {
        firstVersions.mapValues { points in
            var scorer = AnomalyScorer(threshold: 1.5)
            var out: [Int64: Double] = [:]
            for p in points.values.sorted(by: { $0.tsMs < $1.tsMs }) {
                let usable = p.value != nil && p.flags.isDisjoint(with: .unfitForModel)
                out[p.tsMs] = scorer.score(p.value, usable: usable, at: p.tsMs)?.forecast.mean
            }
            return out
        }
    }

    /// Each sensor's first versions by slot, from one cleaner per sensor fed every reading
    /// in time order, with preprocess's settings.
    static func firstVersions(_ scenario: Scenario) -> [String: [Int64: CleanSample]] {
        let inlets = Set(scenario.meta.zones.flatMap(\.inletSensors))
        var bySensor: [String: [ScenarioReading]] = [:]
        for r in scenario.readings { bySensor[r.sensorId, default: []].append(r) }
        var out: [String: [Int64: CleanSample]] = [:]
        for s in scenario.sensors {
            let sensor = Sensor(s, cadenceMs: scenario.meta.stepMs, inlets: inlets)
            var cleaner = SeriesCleaner(config: CleaningConfig(sensor: sensor, maxFillSteps: 5))
            let canonical = sensor.toCanonical(from: "")
            let raws = (bySensor[s.sensorId] ?? []).sorted { $0.tsMs < $1.tsMs }.map { r in
                RawSample(tsMs: r.tsMs, value: canonical.map { $0(r.value) } ?? r.value)
            }
            let published = cleaner.add(raws) + cleaner.finish()
            out[s.sensorId] = Dictionary(published.map { ($0.tsMs, $0) }, uniquingKeysWith: { first, _ in first })
        }
        return out
    }
}
