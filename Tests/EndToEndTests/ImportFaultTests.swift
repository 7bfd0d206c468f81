import Foundation
import Simulation
import Testing
import WaterlineCLI
import WaterlineKit
import WaterlineTestSupport

/// `waterline import` as a process against the running system: stopped with Ctrl-C
/// halfway and started again, while every stage (preprocess, ingest, model, insight) is
/// killed with SIGKILL in turn and restarted.
@Suite(.serialized) struct ImportFaultTests {
    @Test func anImportStoppedHalfwayGoesOnAndEveryStageKilledMidImportLosesAndDoublesNothing() async throws {
        let t = try await TestCluster.start("import")
        defer { Task { await t.stop() } }
        let scenario = smallScenario(days: 4)
        let folder = t.directory.appendingPathComponent("history")
        try ScenarioFolder.write(scenario, to: folder)
        let progressDir = t.directory.appendingPathComponent("imports")
        let output = t.directory.appendingPathComponent("import-2.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        func importer(_ out: FileHandle?) -> Process {
            let p = Process()
            p.executableURL = TestEnvironment.binDirectory.appendingPathComponent("waterline")
            p.arguments = [
                "import", folder.path, "--ingest", t.cluster.ingestRPC, "--progress-dir", progressDir.path,
                "--flush", "3000", "--batch", "1000",
            ]
            p.standardOutput = out ?? FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            return p
        }
        let unique = uniqueReadings(scenario)

        // Ctrl-C once a third is stored.
        let first = importer(nil)
        try first.run()
        #expect(try await t.eventually(timeout: .seconds(180)) { try await t.count(Collections.readings) >= unique / 3 })
        first.interrupt()
        while first.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        #expect(first.terminationReason == .uncaughtSignal, "the import was stopped by SIGINT")
        let storedAtStop = try await t.count(Collections.readings)
        #expect(storedAtStop < unique, "stopped before the end (\(storedAtStop) of \(unique))")

        // Preprocess dies mid-import; the second run goes on from the saved line, and
        // ingest (which the importer waits for), model and insight are each killed with
        // SIGKILL while it runs and the stages work the history off, and started again.
        t.cluster.crash(.preprocess)
        #expect(await t.cluster.waitForExit(.preprocess, timeout: .seconds(10)))
        let second = importer(try FileHandle(forWritingTo: output))
        try second.run()
        try await Task.sleep(for: .seconds(2))
        try await t.cluster.startService(.preprocess)
        for member in [LocalCluster.Member.ingest, .model, .insight] {
            try await Task.sleep(for: .seconds(2))
            t.cluster.crash(member)
            #expect(await t.cluster.waitForExit(member, timeout: .seconds(10)), "\(member) killed")
            try await Task.sleep(for: .seconds(1))
            try await t.cluster.startService(member)
        }
        while second.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(second.terminationStatus == 0)
        let said = try String(contentsOf: output, encoding: .utf8)
        #expect(said.contains("going on after line"), "the second run resumed: \(said)")
        let resent = said.split(separator: "\n").first { $0.contains("readings sent in") }.map(String.init) ?? ""
        #expect(!resent.isEmpty && !resent.contains(" \(scenario.readings.count) readings sent"), "only the rest was sent: \(resent)")

        // Every reading stored once; every clean point and score exists, none twice.
        try await expectCompleteSeries(t, scenario)
        await t.stop()
    }
}
