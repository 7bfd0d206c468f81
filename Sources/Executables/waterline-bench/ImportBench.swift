import Foundation
import Mongo
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

// MARK: 10. History import, end to end

/// `waterline import` of a long CSV (100 sensors × 14 days at 5 minutes, time-ordered like
/// a SCADA export) into the whole system: readings/s until the import command exits
/// (every reading acknowledged by ingest, stored raw), and until every clean point has
/// its score stored.
func benchImport(sensors count: Int = 100, days: Int = 14) async throws {
    try await withCluster { cluster in
        let ids = (0..<count).map { "imp-\($0)" }
        let ingest = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(60))
        var request = RegisterSensorsRequest()
        request.sensors = ids.map { benchSensor($0, zone: "import", cadenceMs: 300_000) }
        _ = try await ingest.call(IngestRPC.registerSensors, request)
        await ingest.close()

        let steps = days * 288
        let start: Int64 = 1_700_006_400_000 / 86_400_000 * 86_400_000
        let file = cluster.dataDirectory.appendingPathComponent("history.csv")
        var text = "sensor_id,ts_ms,value\n"
        text.reserveCapacity(count * steps * 32)
        for step in 0..<steps {
            let daily = sin(2 * Double.pi * Double(step % 288) / 288)
            for (i, id) in ids.enumerated() {
                let value = 4 + 0.5 * daily + Double(i % 7) / 10 + Double((step * 31 + i * 17) % 101) / 2_000
                text += "\(id),\(start + Int64(step) * 300_000),\(String(format: "%.4f", value))\n"
            }
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        let total = count * steps

        let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 2)
        defer { mongo.close() }
        let importer = Process()
        importer.executableURL = cluster.binDirectory.appendingPathComponent("waterline")
        importer.arguments = [
            "import", file.path, "--ingest", cluster.ingestRPC,
            "--progress-dir", cluster.dataDirectory.appendingPathComponent("imports").path,
        ]
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        let started = ContinuousClock.now
        try importer.run()
        while importer.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        let imported = seconds(ContinuousClock.now - started)
        guard importer.terminationStatus == 0 else {
            print("import: waterline import exited with status \(importer.terminationStatus)")
            return
        }
        let lastMs = Dictionary(uniqueKeysWithValues: ids.map { ($0, start + Int64(steps - 1) * 300_000) })
        let outcome = try await CatchUpWatch(mongo, lastMs: lastMs).wait()
        let scored = outcome.scored
        let endToEnd = seconds(outcome.settledAt - started)
        // The cleaner holds each sensor's newest readings (the spike filter's half-width)
        // until more arrive or the stream has been quiet for WATERLINE_IDLE_FLUSH_MS.
        print(String(format: "import: %d readings (%d sensors × %d days at 5 min, long CSV) — stored raw after %.1f s (%.0f readings/s); every clean point scored after %.1f s (%d scores, %d readings still held by the cleaner's spike window): %.0f readings/s end to end (whole system on one machine)",
                     total, count, days, imported, Double(total) / imported, endToEnd, scored, total - scored, Double(scored) / endToEnd))
        // What history costs to keep (docs/capacity.md): per collection, from the server's
        // collStats (BSON bytes, uncompressed), per million readings imported.
        for name in [Collections.readings, Collections.clean, Collections.scores, Collections.rollups] {
            let (docs, bytes, index) = try await collectionStats(mongo, name)
            print(String(format: "import: %@: %.0f documents, %.1f MB, indexes %.1f MB; per million readings %.0f documents, %.1f MB, indexes %.1f MB; %.0f bytes per document",
                         name, docs, bytes / 1e6, index / 1e6, docs / Double(total) * 1e6, bytes / Double(total), index / Double(total), docs > 0 ? bytes / docs : 0))
        }
    }
}
