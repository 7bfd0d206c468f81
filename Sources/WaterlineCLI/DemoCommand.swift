import ArgumentParser
import Foundation
import HistoryImport
import Mongo
import Simulation
import WaterlineBus
import WaterlineKit
import WaterlineProto

struct DemoCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Start Waterline, simulate and replay the demo scenario, print what was found next to the injected truth, keep serving.")

    @OptionGroup var options: ClusterOptions

    @Option(help: "Days of the live week to simulate and replay (the injected events fall on days 3 to 5).")
    var days = 7

    @Option(help: "Days of history before the live week, imported first; a DeepAR model is trained on them (0: no history, no training).")
    var historyDays = 28

    @Option(help: "Training epochs of the demo's run (the model service's default, WATERLINE_TRAIN_MAX_EPOCHS, is 30; fewer keep the demo within about five minutes).")
    var epochs = 12

    @Flag(help: "Exit after the summary instead of serving until Ctrl-C.")
    var exitAfterSummary = false

    func validate() throws {
        guard days >= 1 else { throw ValidationError("--days must be at least 1") }
        guard historyDays >= 0 else { throw ValidationError("--history-days must not be negative") }
        guard (1...1000).contains(epochs) else { throw ValidationError("--epochs must be between 1 and 1000") }
    }

    func runAsync() async throws {
        let started = ContinuousClock.now
        let dataDir = URL(fileURLWithPath: options.dataDir)
        // A demo starts from a clean database each time.
        try? FileManager.default.removeItem(at: dataDir.appendingPathComponent("mongo"))
        let cluster = try options.cluster()
        // Events are priced at the scenario's tariff.
        cluster.extraEnvironment["WATERLINE_TARIFF_PER_M3"] = String(SimulationConfig().tariffPerM3)
        cluster.extraEnvironment["WATERLINE_TRAIN_MAX_EPOCHS"] = String(epochs)
        try await startOrStop(cluster)
        do {
            try await printFirstClient(cluster)
            try await play(cluster, dataDir: dataDir, started: started)
        } catch {
            await cluster.stop()
            throw error
        }
        if !exitAfterSummary {
            printAddresses(cluster)
            print("Serving until Ctrl-C.")
            await waitForInterrupt()
        }
        await cluster.stop()
    }

    /// Simulates the history and the live week as one series (the events in the live week),
    /// imports the history, trains on it, replays the week and summarises.
    private func play(_ cluster: LocalCluster, dataDir: URL, started: ContinuousClock.Instant) async throws {
        let liveStartMs = SimulationConfig.defaultStartMs
        var config = SimulationConfig()
        config.days = historyDays + days
        config.startMs = liveStartMs - Int64(historyDays) * 86_400_000
        config.eventsStartMs = liveStartMs
        let scenario = Simulator.run(config)
        let scenarioDir = dataDir.appendingPathComponent("scenario")
        try FileManager.default.createDirectory(at: scenarioDir, withIntermediateDirectories: true)
        try ScenarioFolder.write(scenario, to: scenarioDir)
        print("simulated \(historyDays) days of history and a live week of \(days) days: \(scenario.sensors.count) sensors, \(scenario.readings.count) readings -> \(scenarioDir.path)")
        let history = scenario.readings.filter { $0.tsMs < liveStartMs }
        let live = scenario.readings.filter { $0.tsMs >= liveStartMs }

        let client = try RPCClient(name: "demo", connect: [cluster.ingestRPC], timeout: .seconds(60))
        defer { Task { await client.close() } }
        let replayer = Replayer(client: client, retryFor: .seconds(300), source: "demo")
        _ = try await replayer.registerSensors(of: scenario)
        let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 1)
        defer { mongo.close() }

        var model = "no model: the seasonal baseline scored the week (--history-days 0)"
        if !history.isEmpty {
            try await importHistory(history, of: scenario, cluster: cluster, dataDir: dataDir, replayer: replayer, mongo: mongo)
            model = try await train(cluster)
        }

        let bar = ProgressBar(label: "live week")
        let replayStarted = ContinuousClock.now
        let stats = try await replayer.replay(live, batchSize: 2000) { bar.update($0, $1) }
        print("replayed the live week in \(Self.format(ContinuousClock.now - replayStarted)): \(stats.accepted) stored, \(stats.duplicates) duplicates")
        let outcome = try await CatchUpWatch(mongo, lastMs: Self.lastMs(live)).wait(progress: scoringProgress(cluster))
        FileHandle.standardError.write(Data("\n".utf8))
        if !outcome.caughtUp { print("scoring made no progress for 2 minutes; summarising what there is") }
        let readings = try await SeriesStore(mongo.collection(Collections.readings), rule: .readings).countPoints()

        let insight = try RPCClient(name: "demo-insight", connect: [cluster.insightRPC])
        var list = ListEventsRequest()
        list.limit = 1000
        let events = try await insight.call(InsightRPC.listEvents, list).events
        await insight.close()
        print(DemoSummary.render(events: events.map(FoundEvent.init), labels: scenario.labels, readingsStored: readings, pointsScored: outcome.scored, liveFromMs: history.isEmpty ? nil : liveStartMs))
        print("  model: \(model)")
        print("  start to summary: \(Self.format(ContinuousClock.now - started))")
    }

    /// Imports the history as `waterline import` would and waits until it is scored.
    private func importHistory(
        _ history: [ScenarioReading], of scenario: Scenario, cluster: LocalCluster, dataDir: URL, replayer: Replayer, mongo: MongoClient
    ) async throws {
        let folder = dataDir.appendingPathComponent("history")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var part = scenario
        part.readings = history
        part.labels = []
        try ScenarioFolder.write(part, to: folder)
        var importer = HistoryImporter(replayer: replayer, progressDirectory: dataDir.appendingPathComponent("imports"), again: true)
        let line = ImportStatusLine(name: "history")
        importer.onProgress = { line.show($0) }
        let imported = try await importer.importFile(folder.appendingPathComponent("readings.csv"), name: "history")
        print(String(format: "imported %d days of history: %d readings in %.1f s (%.0f/s)", historyDays, imported.stats.accepted, imported.seconds, Double(imported.stats.sent) / max(0.001, imported.seconds)))
        let workedOff = ContinuousClock.now
        let outcome = try await CatchUpWatch(mongo, lastMs: Self.lastMs(history)).wait(progress: scoringProgress(cluster))
        FileHandle.standardError.write(Data("\n".utf8))
        print("history cleaned and scored: \(outcome.scored) points, \(Self.format(outcome.settledAt - workedOff)) after the import")
    }

    /// Trains DeepAR on the history; returns what the week is scored with.
    private func train(_ cluster: LocalCluster) async throws -> String {
        let client = try RPCClient(name: "demo-train", connect: cluster.modelRPC.split(separator: ",").map(String.init), timeout: .seconds(30))
        defer { Task { await client.close() } }
        let trainingStarted = ContinuousClock.now
        guard case .finished(let run) = try await TrainingFollow.run(client, actor: "demo") else {
            return "no model: a training run was already running"
        }
        let took = Self.format(ContinuousClock.now - trainingStarted)
        guard run.outcome == "promoted" else {
            return "no model in production: training \(run.runID) \(run.status), \(run.outcome) (\(run.reason)); the seasonal baseline scored the week"
        }
        // Scoring takes the promoted model once it is loaded and warmed.
        let deadline = ContinuousClock.now + .seconds(120)
        while try await client.call(ModelRPC.getModelInfo, ModelInfoRequest()).modelVersion != run.candidateVersion {
            guard ContinuousClock.now < deadline else { return "\(run.candidateVersion) promoted (\(run.reason)) but not in use after 2 minutes" }
            try await Task.sleep(for: .milliseconds(500))
        }
        return "\(run.candidateVersion), trained in \(took) on the history and promoted: \(run.reason)"
    }

    private static func lastMs(_ readings: [ScenarioReading]) -> [String: Int64] {
        var last: [String: Int64] = [:]
        for r in readings { last[r.sensorId] = max(last[r.sensorId] ?? .min, r.tsMs) }
        return last
    }

    /// A progress line from the model service's own counter of stored scores (counting
    /// them in the database would cost it seconds each time).
    private func scoringProgress(_ cluster: LocalCluster) -> () async -> Void {
        let endpoints = cluster.modelRPC.split(separator: ",").map(String.init)
        let first = Locked<(at: ContinuousClock.Instant, stored: UInt64)?>(nil)
        return {
            var stored: UInt64 = 0
            for endpoint in endpoints {
                guard let client = try? RPCClient(name: "demo-progress", connect: [endpoint], timeout: .seconds(2)) else { continue }
                stored += (try? await client.call(ModelRPC.stats, StatsRequest()).counters["stored"]) ?? 0
                await client.close()
            }
            let now = ContinuousClock.now
            let since = first.withLock { f in
                if f == nil { f = (now, stored) }
                return f!
            }
            let elapsed = Double((now - since.at).components.seconds)
            let rate = elapsed > 0 ? String(format: ", %.0f/s", Double(stored &- since.stored) / elapsed) : ""
            FileHandle.standardError.write(Data("\rscoring: the model service has stored \(stored) scores\(rate)   ".utf8))
        }
    }

    private static func format(_ d: Duration) -> String {
        d.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))
    }
}
