import Foundation
import HistoryImport
import Hydraulics
import Simulation
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineTestSupport

/// Live localisation on the utility's network model, over real processes: insight is given
/// the loop network (`WATERLINE_NETWORK_FILE`), the solver-simulated leak at J5 is replayed
/// through ingest, preprocess and model, and the leak event names junctions and pipes with
/// map positions — J5 first.
@Suite(.serialized, .timeLimit(.minutes(20))) struct NetworkLocationEndToEndTests {
    @Test func aLeakIsLocatedOnTheNetworkModelLive() async throws {
        let folder = try TestEnvironment.scratchDirectory("loop-scenario")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Without the weekend step: the live seasonal baseline needs two weeks of history
        // before a weekend's higher demand stops looking like water going missing, and the
        // leak starts on day 16 (README, "What the live detector needs").
        let scenario = try LoopLeakScenario.write(to: folder, weekendBoost: 0)
        let networkFile = folder.appendingPathComponent("network.inp").path
        let t = try await TestCluster.start("network-location", environment: ["WATERLINE_NETWORK_FILE": networkFile])
        defer { Task { await t.stop() } }

        let replayer = Replayer(client: try t.ingestClient(timeout: .seconds(5)))
        #expect(try await replayer.registerSensors(of: scenario) == scenario.sensors.count)
        let stats = try await replayer.replay(scenario.readings, batchSize: 1000)
        #expect(stats.rejected == 0)

        // Every reading cleaned and scored: the leak's residuals have settled.
        let (clean, scores) = try await t.waitForDerivedSeries(slots: scenario.readings.count, timeout: .seconds(240))
        #expect(clean == scenario.readings.count && scores == scenario.readings.count)
        let label = try #require(scenario.labels.first)
        func ms(_ value: Any?) -> Int64 { value as? Int64 ?? (value as? Int).map(Int64.init) ?? 0 }
        var located: [String: Any]?
        var leaks: [[String: Any]] = []
        _ = try await t.eventually(timeout: .seconds(240)) {
            leaks = (try await t.http.get("/api/v1/events?type=leak&zone=loop").json["events"] as? [[String: Any]]) ?? []
            located = leaks.first { ms($0["start_ms"]) >= label.startMs - 3_600_000 && $0["location_note"] as? String != nil
                && (($0["candidates"] as? [[String: Any]])?.first?["node_id"] as? String) != nil }
            return located != nil
        }
        let event = try #require(located, "no leak event located on the network")
        let note = try #require(event["location_note"] as? String)
        print("location note: \(note)\ncandidates: \(event["candidates"] ?? [])")
        #expect(note.contains("network model network.inp"), "\(note)")
        let candidates = try #require(event["candidates"] as? [[String: Any]])
        let top = try #require(candidates.first)
        #expect(top["node_id"] as? String == LoopLeakScenario.leakNode, "candidates \(candidates)")
        // On the map where J5 is (the projection is fitted on the sensors' positions).
        let network = try InpReader.read(LoopLeakScenario.network)
        let j5 = LoopLeakScenario.position(network, LoopLeakScenario.leakNode)
        #expect(abs((top["lat"] as? Double ?? 0) - j5.lat) < 1e-5 && abs((top["lon"] as? Double ?? 0) - j5.lon) < 1e-5)
        // Pipes follow the junctions; the best touches J5.
        let pipes = candidates.compactMap { $0["link_id"] as? String }.filter { !$0.isEmpty }
        #expect(["P5", "P6", "P7"].contains(pipes.first ?? ""), "pipes \(pipes)")
        // Named from a point at or after the raising one, within the day after it.
        let (raised, locatedAt) = (ms(event["raised_ms"]), ms(event["located_ms"]))
        #expect(raised > 0 && locatedAt >= raised && locatedAt <= raised + 86_400_000, "raised \(raised), located \(locatedAt)")
        // One leak event, not a flood, and none before the leak began.
        #expect(leaks.count == 1 && leaks.allSatisfy { ms($0["start_ms"]) >= label.startMs - 3_600_000 })
        let bursts = (try await t.http.get("/api/v1/events?type=burst&zone=loop").json["events"] as? [[String: Any]]) ?? []
        #expect(bursts.isEmpty, "bursts: \(bursts.map { $0["event_id"] ?? "" })")
    }

    /// A network file that cannot be read stops insight at start, with the variable named.
    @Test func anUnreadableNetworkFileStopsInsightWithTheReason() async throws {
        let insight = Process()
        insight.executableURL = TestEnvironment.binDirectory.appendingPathComponent("waterline-insight")
        insight.environment = [
            "WATERLINE_MONGO_URI": "mongodb://127.0.0.1:9", "WATERLINE_SCORE_STREAM": "tcp://127.0.0.1:9",
            "WATERLINE_NETWORK_FILE": "/nonexistent/network.inp",
        ]
        let stderr = Pipe()
        insight.standardError = stderr
        insight.standardOutput = FileHandle.nullDevice
        try insight.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while insight.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if insight.isRunning { insight.terminate() }
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(insight.terminationStatus == 2, "\(message)")
        #expect(message.contains("WATERLINE_NETWORK_FILE cannot be read"), "\(message)")
    }

    /// A network file that parses but cannot be solved (here a pump whose head curve rises)
    /// does not stop insight: it logs why, naming the pump, and goes on — here as far as
    /// the database, which the test leaves unreachable.
    @Test func anUnsolvableNetworkFileIsAWarningNotAStop() async throws {
        let folder = try TestEnvironment.scratchDirectory("unsolvable-network")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("network.inp")
        try """
            [JUNCTIONS]
            J1 10 5
            [RESERVOIRS]
            R 20
            [PUMPS]
            PU R J1 HEAD C1
            [CURVES]
            C1 0 10
            C1 10 20
            C1 20 5
            [END]
            """.write(to: file, atomically: true, encoding: .utf8)
        let insight = Process()
        insight.executableURL = TestEnvironment.binDirectory.appendingPathComponent("waterline-insight")
        insight.environment = [
            "WATERLINE_MONGO_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=1000", "WATERLINE_SCORE_STREAM": "tcp://127.0.0.1:9",
            "WATERLINE_NETWORK_FILE": file.path,
        ]
        let output = Pipe()
        insight.standardError = output
        insight.standardOutput = output
        try insight.run()
        let deadline = ContinuousClock.now + .seconds(60)
        while insight.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if insight.isRunning { insight.terminate() }
        let message = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(message.contains("network.inp cannot be solved") && message.contains("pump PU"), "\(message)")
        #expect(!message.contains("WATERLINE_NETWORK_FILE"), "a configuration error: \(message)")
        // It stopped at the database, after the network.
        #expect(message.contains("127.0.0.1:9"), "\(message)")
    }
}
