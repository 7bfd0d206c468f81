import ArgumentParser
import Foundation
import Simulation
import WaterlineBus
import WaterlineKit
import WaterlineProto

struct SensorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensors", abstract: "Manage the sensor registry.", subcommands: [Import.self])

    struct Import: AsyncCommand {
        static let configuration = CommandConfiguration(
            commandName: "import", abstract: "Register the sensors of a scenario's sensors.csv with ingest.")

        @Argument(help: "A sensors.csv file (sensor_id,kind,unit,zone,node_id,lat,lon,min,max).")
        var file: String

        @Option(help: "Ingest RPC endpoint.")
        var ingest = "tcp://127.0.0.1:7001"

        @Option(help: "Cadence of the sensors in milliseconds.")
        var cadenceMs: Int64 = 60_000

        @Option(help: "Comma-separated ids of zone inlet flow sensors (default: from scenario.json beside the file).")
        var inlets: String?

        func runAsync() async throws {
            let url = URL(fileURLWithPath: file)
            let sensors = try ScenarioFolder.readSensors(file: url)
            var inletIDs = Set(inlets?.split(separator: ",").map(String.init) ?? [])
            let metaURL = url.deletingLastPathComponent().appendingPathComponent("scenario.json")
            if inlets == nil, let data = try? Data(contentsOf: metaURL),
                let meta = try? JSONDecoder().decode(ScenarioMeta.self, from: data)
            {
                inletIDs = Set(meta.zones.flatMap(\.inletSensors))
            }
            let client = try RPCClient(name: "cli", connect: [ingest])
            var request = RegisterSensorsRequest()
            request.sensors = sensors.map { Sensor($0, cadenceMs: cadenceMs, inlets: inletIDs) }
            let reply = try await client.call(IngestRPC.registerSensors, request)
            await client.close()
            print("registered \(reply.registered) sensors from \(file)")
            for r in reply.rejected { print("  rejected \(r.sensorID): \(r.reason)") }
            if !reply.rejected.isEmpty { throw ExitCode(1) }
        }
    }
}
