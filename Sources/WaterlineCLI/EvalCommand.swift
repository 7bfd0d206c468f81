import ArgumentParser
import Foundation
import Simulation

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
        let (events, scored) = pipeline.run(loaded)
        print(DemoSummary.render(events: events, labels: loaded.labels, readingsStored: loaded.readings.count, pointsScored: scored))
    }
}
