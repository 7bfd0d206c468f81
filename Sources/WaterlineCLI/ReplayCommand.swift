import ArgumentParser
import Foundation
import HistoryImport
import Simulation
import WaterlineBus

struct ReplayCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Stream a scenario folder into a running Waterline (registers its sensors first).")

    @Argument(help: "Scenario folder (scenario.json, sensors.csv, readings.csv).")
    var scenario: String

    @Option(help: "Ingest RPC endpoint.")
    var ingest = "tcp://127.0.0.1:7001"

    @Option(help: "Scenario time per wall time, e.g. 3600 plays an hour a second; 0 sends as fast as ingest acknowledges.")
    var speed: Double = 0

    @Option(help: "Readings per SubmitReadings call.")
    var batch = 1000

    @Flag(help: "Give every reading a trace id (<sensor>@<ts_ms>), which travels to its clean point, score and events.")
    var trace = false

    func runAsync() async throws {
        let loaded = try ScenarioFolder.read(from: URL(fileURLWithPath: scenario))
        let client = try RPCClient(name: "replay", connect: [ingest], timeout: .seconds(10))
        let replayer = Replayer(client: client, traceIDs: trace)
        let registered = try await replayer.registerSensors(of: loaded)
        print("registered \(registered) sensors")
        let bar = ProgressBar(label: "replay")
        let started = ContinuousClock.now
        let stats = try await replayer.replay(loaded.readings, batchSize: batch, speed: speed) { bar.update($0, $1) }
        await client.close()
        let seconds = (ContinuousClock.now - started).totalMilliseconds / 1000
        print(String(format: "sent %d readings in %.1f s: %d stored, %d duplicates, %d rejected, %d retries (%d busy, %d timed out); longest wait for an acknowledgement %.1f s",
                     stats.sent, seconds, stats.accepted, stats.duplicates, stats.rejected, stats.retries, stats.busy, stats.timeouts,
                     stats.longestStall.totalMilliseconds / 1000))
    }
}
