import Foundation
import Simulation
import Testing
import WaterlineTestSupport

/// `waterline backtest` as a process: a fresh cluster of the real services of its own, the
/// loop scenario (a 12 m³/h leak at J5 from day 16) through ingest, the events read over
/// REST and scored — by time, and by BattLeDIM's rules with the leak labelled on pipe P7
/// (which touches J5) and its flow in `leak_flows.csv`.
///
/// Run only with WATERLINE_TEST_BACKTEST=1: in two clean-clone runs beside a CPU hog, the
/// suite hung after this test passed, with every other end-to-end test then in flight
/// suspended for good and no service process left (cause not found yet; see the stop note
/// of 2026-12-07). `WATERLINE_TEST_BACKTEST=1 swift test --filter BacktestEndToEndTests`
/// passes on its own.
@Suite(
    .serialized, .timeLimit(.minutes(20)),
    .enabled(if: ProcessInfo.processInfo.environment["WATERLINE_TEST_BACKTEST"] == "1", "set WATERLINE_TEST_BACKTEST=1 to run"))
struct BacktestEndToEndTests {
    @Test func aBacktestFindsTheLoopsLeakThroughTheServicesAndScoresItsPipe() async throws {
        let folder = try TestEnvironment.scratchDirectory("backtest-scenario")
        defer { try? FileManager.default.removeItem(at: folder) }
        var scenario = try LoopLeakScenario.write(to: folder, weekendBoost: 0)
        scenario.labels = scenario.labels.map { label in
            var l = label
            l.pipeId = "P7"
            return l
        }
        try ScenarioFolder.write(scenario, to: folder)
        var flows = "ts_ms,P7\n"
        for step in 0..<LoopLeakScenario.steps {
            let leak = step >= LoopLeakScenario.leakStep ? LoopLeakScenario.leakM3h : 0
            flows += "\(LoopLeakScenario.startMs + Int64(step) * LoopLeakScenario.stepMs),\(leak)\n"
        }
        try flows.write(to: folder.appendingPathComponent("leak_flows.csv"), atomically: true, encoding: .utf8)
        let dataDir = try TestEnvironment.scratchDirectory("backtest-data")
        defer { try? FileManager.default.removeItem(at: dataDir) }

        // Its output to a file, and its end polled: no blocking read or wait on a thread
        // of the test's concurrency pool.
        let output = dataDir.appendingPathComponent("backtest.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let p = Process()
        p.executableURL = TestEnvironment.binDirectory.appendingPathComponent("waterline")
        p.arguments = ["backtest", folder.path, "--data-dir", dataDir.path, "--settle-seconds", "20", "--holdout-from", "2026-01-12"]
        p.standardOutput = try FileHandle(forWritingTo: output)
        p.standardError = FileHandle.nullDevice
        try p.run()
        let started = ContinuousClock.now
        while p.isRunning && ContinuousClock.now - started < .seconds(900) { try await Task.sleep(for: .milliseconds(200)) }
        if p.isRunning { p.interrupt() }
        while p.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        let text = try String(contentsOf: output, encoding: .utf8)
        #expect(p.terminationStatus == 0, "\(text)")
        // The history (from 2026-01-05) and the holdout (from 2026-01-12) both hold the leak.
        #expect(text.contains("The whole scenario (history included):") && text.contains("The holdout:"), "\(text)")
        #expect(text.contains("1 of 1 leaks detected, 0 false detections"), "\(text)")
        #expect(text.contains("BattLeDIM score"), "\(text)")
        // The named pipe touches J5: P7 itself (found, 0 m off), or P5 or P6, more than
        // 300 m from P7's midpoint along the pipes (no hit).
        let named = text.contains("found 1 of 1 leaks") && text.contains(" 0 m off")
            || text.range(of: #"named P[56] at"#, options: .regularExpression) != nil
        #expect(named, "\(text)")
        #expect(text.range(of: #"readings sent in \d+ s \(\d+/s\)"#, options: .regularExpression) != nil, "\(text)")
    }
}
