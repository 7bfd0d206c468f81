import ArgumentParser
import Foundation
import Simulation

struct SimulateCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Write a deterministic synthetic scenario (3 zones, 22 sensors, injected burst, leak, stuck sensor, data gap).")

    @Option(name: .shortAndLong, help: "Folder to write the scenario to (created if missing).")
    var out: String

    @Option(help: "Days to simulate.")
    var days = 7

    @Option(help: "Seed of the random generator: the same seed gives the same files.")
    var seed: UInt64 = 42

    @Option(help: "Cadence in milliseconds.")
    var stepMs: Int64 = 60_000

    func runAsync() async throws {
        guard days >= 1 else { throw ValidationError("--days must be at least 1") }
        var config = SimulationConfig()
        config.days = days
        config.seed = seed
        config.stepMs = stepMs
        let scenario = Simulator.run(config)
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ScenarioFolder.write(scenario, to: dir)
        print("wrote \(dir.path): \(scenario.sensors.count) sensors, \(scenario.readings.count) readings, \(scenario.labels.count) labelled events")
        for label in scenario.labels {
            print("  \(label.type) in \(label.zone ?? "-") from \(isoTime(label.startMs)) to \(isoTime(label.endMs))\(label.sensorId.map { " (sensor \($0))" } ?? "")")
        }
    }
}

func isoTime(_ ms: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
}
