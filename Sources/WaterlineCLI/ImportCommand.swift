import ArgumentParser
import Foundation
import HistoryImport
import Simulation
import WaterlineBus

struct ImportCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import history into a running Waterline: CSV files (long or wide, gzip too) or scenario folders.",
        discussion: """
            A FILE is one of:
              - long CSV: sensor_id,ts_ms,value (any column order), one reading per line;
              - wide CSV: a time column first (ts_ms, timestamp, time, datetime or date), then one
                column per sensor id; an empty cell is no reading;
              - either, gzip-compressed (.gz);
              - a scenario folder (scenario.json, sensors.csv, readings.csv or readings.csv.gz):
                its sensors are registered first.
            Times are epoch milliseconds or ISO 8601 date-times (UTC without an offset). Sensors of
            CSV files must be registered (waterline sensors import); readings of unknown sensors are
            rejected and counted. A run keeps its progress per file (--progress-dir); run it again
            after a Ctrl-C and it goes on where the last acknowledged batch ended. Storage is
            idempotent: a reading sent twice is stored once.
            """)

    @Argument(help: "History files or scenario folders.")
    var files: [String]

    @Option(help: "Ingest RPC endpoint.")
    var ingest = "tcp://127.0.0.1:7001"

    @Option(help: "Readings per SubmitReadings call (ingest takes WATERLINE_MAX_BATCH, 10,000 by default).")
    var batch = 10_000

    @Option(help: "Readings buffered before the whole hours among them are sent (each call: as many hours of every sensor as fit in --batch, sorted by sensor and time).")
    var flush = 200_000

    @Option(help: "Where the progress of each file is kept (default: $XDG_STATE_HOME/waterline/imports or ~/.local/state/waterline/imports).")
    var progressDir: String?

    @Flag(help: "Send files that an earlier run finished again.")
    var again = false

    func validate() throws {
        guard batch > 0, flush > 0 else { throw ValidationError("--batch and --flush must be positive") }
    }

    func runAsync() async throws {
        let client = try RPCClient(name: "import", connect: [ingest], timeout: .seconds(60))
        do {
            try await importAll(client)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    /// A scenario folder's sensors registered through `replayer`, and its readings file
    /// (`readings.csv` or `readings.csv.gz`): what `import` and `backtest` send of a folder.
    static func registerFolder(_ url: URL, replayer: Replayer) async throws -> (registered: Int, readings: URL) {
        let registered = try await replayer.registerSensors(of: try ScenarioFolder.readWithoutReadings(from: url))
        guard let readings = ["readings.csv", "readings.csv.gz"].map({ url.appendingPathComponent($0) })
            .first(where: { FileManager.default.fileExists(atPath: $0.path) })
        else { throw ImportError("\(url.path): a scenario folder needs readings.csv or readings.csv.gz") }
        return (registered, readings)
    }

    /// Imports every file in turn through `client`.
    private func importAll(_ client: RPCClient) async throws {
        let replayer = Replayer(client: client, retryFor: .seconds(300), source: "import")
        let directory = progressDir.map { URL(fileURLWithPath: $0) } ?? ImportProgress.defaultDirectory
        var importer = HistoryImporter(replayer: replayer, progressDirectory: directory, batchSize: batch, flushReadings: flush, again: again)
        var all = Replayer.Stats()
        for path in files {
            let url = URL(fileURLWithPath: path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw ImportError("\(path): no such file or folder")
            }
            var file = url
            var name = url.lastPathComponent
            if isDirectory.boolValue {
                let (registered, readings) = try await Self.registerFolder(url, replayer: replayer)
                print("\(name): registered \(registered) sensors")
                file = readings
                name += "/" + readings.lastPathComponent
            }
            let line = ImportStatusLine(name: name)
            importer.onProgress = { line.show($0) }
            let totals = try await importer.importFile(file, name: name)
            all.add(totals.stats)
            let sent = totals.stats
            guard sent.sent > 0 else { continue }
            print(String(format: "%@: %d readings sent in %.1f s (%.0f/s): %d stored, %d duplicates, %d conflicts, %d rejected, %d retries",
                         name, sent.sent, totals.seconds, Double(sent.sent) / max(0.001, totals.seconds), sent.accepted,
                         sent.duplicates, sent.conflicts, sent.rejected, sent.retries))
        }
        if all.rejected > 0 {
            print("\(all.rejected) readings were rejected (unknown sensors, values that are not finite, ...): their reasons are in dead_letters")
        }
    }
}
