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

        @Option(help: "Comma-separated ids of zone inlet flow sensors. Without --inlets, --outlets and --storage, the zones' roles come from scenario.json beside the file.")
        var inlets: String?

        @Option(help: "Comma-separated ids of flow sensors that measure water leaving the zone they sit in, or ID@ZONE for one that takes water out of another zone.")
        var outlets: String?

        @Option(help: "Tank level sensors in their zone's balance, with each tank's cross-section in m²: id=area,...")
        var storage: String?

        func runAsync() async throws {
            let url = URL(fileURLWithPath: file)
            let sensors = try ScenarioFolder.readSensors(file: url)
            var roles = BalanceRoles()
            let metaURL = url.deletingLastPathComponent().appendingPathComponent("scenario.json")
            if inlets == nil && outlets == nil && storage == nil {
                if let data = try? Data(contentsOf: metaURL), let meta = try? JSONDecoder().decode(ScenarioMeta.self, from: data) {
                    roles = BalanceRoles(zones: meta.zones)
                }
            } else {
                func ids(_ list: String?) -> [String] { list?.split(separator: ",").map(String.init) ?? [] }
                roles.inlets = Set(ids(inlets))
                roles.addOutlets(ids(outlets), of: sensors)
                for entry in ids(storage) {
                    let parts = entry.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, let area = Double(parts[1]), area > 0 else {
                        throw ValidationError("--storage takes id=area pairs with a positive area in m², not '\(entry)'")
                    }
                    roles.storage[String(parts[0])] = area
                }
            }
            let client = try RPCClient(name: "cli", connect: [ingest])
            var request = RegisterSensorsRequest()
            request.sensors = sensors.map { Sensor($0, cadenceMs: cadenceMs, roles: roles) }
            let reply = try await client.call(IngestRPC.registerSensors, request)
            await client.close()
            print("registered \(reply.registered) sensors from \(file)")
            for r in reply.rejected { print("  rejected \(r.sensorID): \(r.reason)") }
            if !reply.rejected.isEmpty { throw ExitCode(1) }
        }
    }
}
