import ArgumentParser
import Foundation
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

    @Option(help: "Days to simulate.")
    var days = 7

    @Flag(help: "Exit after the summary instead of serving until Ctrl-C.")
    var exitAfterSummary = false

    func runAsync() async throws {
        let dataDir = URL(fileURLWithPath: options.dataDir)
        // A demo starts from a clean database each time.
        try? FileManager.default.removeItem(at: dataDir.appendingPathComponent("mongo"))
        let cluster = try options.cluster()
        // Events are priced at the scenario's tariff.
        cluster.extraEnvironment["WATERLINE_TARIFF_PER_M3"] = String(SimulationConfig().tariffPerM3)
        try await startOrStop(cluster)
        do {
            try await printFirstClient(cluster)
            try await play(cluster, dataDir: dataDir)
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

    private func play(_ cluster: LocalCluster, dataDir: URL) async throws {
        var config = SimulationConfig()
        config.days = days
        let scenario = Simulator.run(config)
        let scenarioDir = dataDir.appendingPathComponent("scenario")
        try FileManager.default.createDirectory(at: scenarioDir, withIntermediateDirectories: true)
        try ScenarioFolder.write(scenario, to: scenarioDir)
        print("simulated \(days) days: \(scenario.sensors.count) sensors, \(scenario.readings.count) readings -> \(scenarioDir.path)")

        let client = try RPCClient(name: "demo", connect: [cluster.ingestRPC], timeout: .seconds(10))
        let replayer = Replayer(client: client)
        _ = try await replayer.registerSensors(of: scenario)
        let bar = ProgressBar(label: "replay")
        let started = ContinuousClock.now
        let stats = try await replayer.replay(scenario.readings, batchSize: 2000) { bar.update($0, $1) }
        await client.close()
        print("replayed in \((ContinuousClock.now - started).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))): \(stats.accepted) stored, \(stats.duplicates) duplicates")

        let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 1)
        defer { mongo.close() }
        let scored = try await waitUntilSettled(mongo)
        let readings = try await SeriesStore(mongo.collection(Collections.readings), rule: .readings).countPoints()

        let insight = try RPCClient(name: "demo-insight", connect: [cluster.insightRPC])
        var list = ListEventsRequest()
        list.limit = 1000
        let events = try await insight.call(InsightRPC.listEvents, list).events
        await insight.close()
        print(DemoSummary.render(events: events.map(FoundEvent.init), labels: scenario.labels, readingsStored: readings, pointsScored: scored))
    }

    /// Waits until every clean point has its score (the pipeline has caught up), or
    /// until nothing moved for two minutes.
    private func waitUntilSettled(_ mongo: MongoClient) async throws -> Int {
        var lastProgress = ContinuousClock.now
        var last = -1
        while true {
            let clean = try await SeriesStore(mongo.collection(Collections.clean), rule: .clean).countPoints()
            let scored = try await SeriesStore(mongo.collection(Collections.scores), rule: .scores).countPoints()
            FileHandle.standardError.write(Data("\rscoring: \(scored) of \(clean) clean points scored   ".utf8))
            if scored != last { last = scored; lastProgress = .now }
            if scored >= clean && clean > 0 {
                // Let the last events settle.
                try await Task.sleep(for: .seconds(2))
                FileHandle.standardError.write(Data("\n".utf8))
                return scored
            }
            if ContinuousClock.now - lastProgress > .seconds(120) {
                FileHandle.standardError.write(Data("\nscoring made no progress for 2 minutes; summarising what there is\n".utf8))
                return scored
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
