import ArgumentParser
import Foundation
import Mongo
import Simulation
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// `waterline eval`: offline evaluations. Without a subcommand it runs `events`, so
/// `waterline eval [SCENARIO]` works as it always did.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate the algorithms offline: events against a scenario's labels (default), the cleaning against injected faults, DeepAR's forecasts against the seasonal baseline, or leak detection over many scenarios with LeakDB's rules.",
        subcommands: [EvalEventsCommand.self, EvalCleaningCommand.self, EvalForecastCommand.self, EvalScenariosCommand.self, EvalSKABCommand.self],
        defaultSubcommand: EvalEventsCommand.self)
}

/// `waterline eval events`: a scenario through cleaning, scoring and detection,
/// compared with its labels.
struct EvalEventsCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "events",
        abstract: "Run a scenario through the cleaning, scoring and detection algorithms offline and compare with its labels.")

    @Argument(help: "Scenario folder; without it, the demo scenario is simulated in memory.")
    var scenario: String?

    @Option(help: "Days to simulate when no scenario folder is given.")
    var days = 7

    @Option(help: "Cadence in milliseconds when no scenario folder is given.")
    var stepMs: Int64 = 60_000

    @Option(help: "Anomaly threshold in 90%-interval half-widths.")
    var threshold = 1.5

    @Option(help: "Print the hourly mean value, forecast and surprise of this sensor.")
    var trace: String?

    @Option(help: "Print the hourly net inflow, expected inflow, excess (with its spread) and alarm of this zone's water balance detector.")
    var traceBalance: String?

    @Option(help: "Compare the events with those of a running insight (its RPC endpoint) that was sent the same readings; exit status 1 when they differ.")
    var against: String?

    @Option(help: "With --against: the running system's MongoDB; wait until every clean point there has its score and insight's events have settled before comparing.")
    var mongoURI: String?

    @Option(help: "With --against: seconds insight's events must stay unchanged to count as settled.")
    var settleSeconds = 30

    func runAsync() async throws {
        var config = SimulationConfig()
        config.days = days
        config.stepMs = stepMs
        let loaded = try scenario.map { try ScenarioFolder.read(from: URL(fileURLWithPath: $0)) } ?? Simulator.run(config)
        var pipeline = OfflinePipeline()
        pipeline.anomalyThreshold = threshold
        pipeline.traceSensor = trace
        var hour: (start: Int64, n: Int, value: Double, forecast: Double, surprise: Double, anomalous: Int) = (0, 0, 0, 0, 0, 0)
        pipeline.trace = { ts, value, result in
            let h = ts - ts % 3_600_000
            if h != hour.start {
                if hour.n > 0 {
                    let n = Double(hour.n)
                    print(String(format: "%@  value %9.3f  forecast %9.3f  surprise %+6.2f  anomalous %2d", isoTime(hour.start), hour.value / n, hour.forecast / n, hour.surprise / n, hour.anomalous))
                }
                hour = (h, 0, 0, 0, 0, 0)
            }
            guard let value, result.forecast.warmedUp else { return }
            hour.n += 1
            hour.value += value
            hour.forecast += result.forecast.mean
            hour.surprise += result.surprise
            hour.anomalous += result.anomalous ? 1 : 0
        }
        pipeline.traceBalanceZone = traceBalance
        var balanceHour: (start: Int64, n: Int, expected: Double, excess: Double, sigma: Double, alarmed: Int) = (0, 0, 0, 0, 0, 0)
        pipeline.traceBalance = { v in
            let h = v.tsMs - v.tsMs % 3_600_000
            if h != balanceHour.start {
                if balanceHour.n > 0 {
                    let n = Double(balanceHour.n)
                    print(String(
                        format: "%@  balance expected %9.3f  excess %+8.3f  spread %7.3f  alarmed %2d", isoTime(balanceHour.start),
                        balanceHour.expected / n, balanceHour.excess / n, balanceHour.sigma / n, balanceHour.alarmed))
                }
                balanceHour = (h, 0, 0, 0, 0, 0)
            }
            balanceHour.n += 1
            balanceHour.expected += v.expected
            balanceHour.excess += v.excess
            balanceHour.sigma += v.sigma
            balanceHour.alarmed += v.alarmed ? 1 : 0
        }
        let folder = scenario.map { URL(fileURLWithPath: $0) }
        // Located on the scenario's network as insight locates with WATERLINE_NETWORK_FILE.
        pipeline.network = try folder.flatMap { try ScenarioLeakEvaluation.network(loaded.meta, in: $0) }
        let (detected, scored, located) = pipeline.detect(loaded)
        let events = detected.map(OfflinePipeline.found)
        print(DemoSummary.render(events: events, labels: loaded.labels, readingsStored: loaded.readings.count, pointsScored: scored))
        if let folder, let network = pipeline.network, let report = try BattLeDIMReport(folder: folder, scenario: loaded, network: network) {
            let detections = detected.compactMap { e in
                located[e.id].map { BattLeDIMReport.Detection(eventID: e.id, pipe: $0.pipe, atMs: $0.atMs) }
            }
            print("")
            for line in report.render(detections) { print(line) }
        }
        if let against {
            let running = try await runningEvents(against, lastMs: loaded.readings.reduce(into: [:]) { $0[$1.sensorId] = max($0[$1.sensorId] ?? .min, $1.tsMs) })
            let comparison = EventComparison(events, running)
            print("")
            print("Against the running services (\(against)):")
            for line in comparison.report(first: "in-process", second: "services") { print("  " + line) }
            if !comparison.equal { throw ExitCode(1) }
        }
    }

    /// Insight's events once the running system has caught up (with `--mongo-uri`) and
    /// they have not changed for `settleSeconds`.
    private func runningEvents(_ endpoint: String, lastMs: [String: Int64]) async throws -> [FoundEvent] {
        if let mongoURI {
            let mongo = try MongoClient(uri: mongoURI, database: "waterline", threads: 1)
            defer { mongo.close() }
            let outcome = try await CatchUpWatch(mongo, lastMs: lastMs).wait()
            print("running services: \(outcome.scored) scores for \(outcome.clean) clean points\(outcome.caughtUp ? "" : " (not caught up: nothing moved for 2 minutes)")")
        }
        let client = try RPCClient(name: "eval-against", connect: [endpoint], timeout: .seconds(30))
        defer { Task { await client.close() } }
        var last: [String] = []
        var stableSince = ContinuousClock.now
        while true {
            let events = try await Self.allEvents(client)
            let ids = events.map { "\($0.eventID)@\($0.updatedMs)" }.sorted()
            if ids != last { (last, stableSince) = (ids, .now) }
            if ContinuousClock.now - stableSince >= .seconds(settleSeconds) { return events.map(FoundEvent.init) }
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// Every event, a thousand at a time (insight's largest page), newest start first.
    static func allEvents(_ client: RPCClient) async throws -> [Event] {
        var all: [String: Event] = [:]
        var request = ListEventsRequest()
        request.limit = 1000
        while true {
            let page = try await client.call(InsightRPC.listEvents, request).events
            let before = all.count
            for e in page { all[e.eventID] = e }
            guard page.count == 1000, all.count > before, let oldest = page.map(\.startMs).min() else { break }
            request.toMs = oldest
        }
        return Array(all.values)
    }
}
