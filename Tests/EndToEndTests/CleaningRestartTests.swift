import Foundation
import HistoryImport
import Mongo
import Simulation
import Testing
import WaterlineKit
import WaterlineTestSupport

/// A preprocess stopped between two batches, with the next day stored while it is down,
/// cleans on as if it had not stopped: the readings of the last batch it cleaned are not taken for late ones
/// (which marked them late and stored them again as corrections, and on the L-Town
/// import re-stored every point after them: the events then differed).
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
        t.cluster.signal(.preprocess, SIGTERM)
        #expect(await t.cluster.waitForExit(.preprocess, timeout: .seconds(30)))
        _ = try await replayer.replay(second, batchSize: 2000)
        try await t.cluster.startService(.preprocess)
        #expect(try await t.eventually(timeout: .seconds(120)) { try await clean.countPoints() == scenario.readings.count })

        // The only corrections are the cleaner's own (a spike told once its window is
        // whole), as in a run without the stop; nothing is marked late.
        let points = try await clean.points()
        let late = points.filter { (($0["flags"]?.int64Value ?? 0) & 16) != 0 }
        let corrected = points.filter { ($0["revision"]?.int64Value ?? 0) != 1 }
        #expect(points.count == scenario.readings.count)
        #expect(late.isEmpty, "\(late.count) points marked late, e.g. \(late.prefix(2))")
        #expect(corrected.allSatisfy { (($0["flags"]?.int64Value ?? 0) & 64) != 0 }, "\(corrected.filter { (($0["flags"]?.int64Value ?? 0) & 64) == 0 }.prefix(2))")
    }
}
