import Foundation
import Mongo
import Testing
import WaterlineKit
import WaterlineTestSupport

/// `POST /api/v1/imports`: an administrator uploads a history file, the gateway imports it
/// into ingest in the background as `waterline import` would, and `GET /api/v1/imports`
/// shows its progress and outcome.
@Suite(.serialized, .timeLimit(.minutes(20))) struct RESTImportTests {
    static let sensors = ["imp-a", "imp-b", "imp-c"]
    static let startMs: Int64 = 1_790_000_000_000 / 3_600_000 * 3_600_000

    @Test func anUploadedFileIsImportedOnceWithItsProgress() async throws {
        let t = try await TestCluster.start("rest-import", environment: ["WATERLINE_MAX_IMPORT_BYTES": "65536"])
        defer { Task { await t.stop() } }
        let sensorsCSV = "sensor_id,kind,unit,zone,node_id,lat,lon,min,max\n"
            + Self.sensors.map { "\($0),pressure,bar,north,J-1,47.0,8.0,0,10" }.joined(separator: "\n") + "\n"
        #expect(try await t.http.post("/api/v1/sensors/import", json: ["csv": sensorsCSV, "cadence_ms": 60_000]).json["registered"] as? Int == 3)

        // Three hours of three sensors at one minute, long form, gzip-compressed.
        var csv = "sensor_id,ts_ms,value\n"
        for step in 0..<180 {
            for (i, id) in Self.sensors.enumerated() { csv += "\(id),\(Self.startMs + Int64(step) * 60_000),\(4 + Double(i) / 10 + Double(step % 7) / 100)\n" }
        }
        let gzipped = try gzip(Data(csv.utf8))
        let started = try await t.http.post("/api/v1/imports?name=history.csv.gz", raw: gzipped)
        #expect(started.status == 202, "\(started.text)")
        let id = try #require(started.json["import_id"] as? String)
        #expect(started.headers["location"] == "/api/v1/imports/\(id)")
        #expect(started.json["requested_by"] as? String == t.operatorName && started.json["upload_bytes"] as? Int == gzipped.count)

        let done = try await finished(t, id)
        #expect(done["status"] as? String == "succeeded", "\(done)")
        #expect(done["readings_sent"] as? Int == 540 && done["stored"] as? Int == 540 && done["duplicates"] as? Int == 0, "\(done)")
        #expect(done["progress"] as? Double == 1 && (done["finished_ms"] as? Int ?? 0) > 0, "\(done)")
        let readings = SeriesStore(t.mongo.collection(Collections.readings), rule: .readings)
        #expect(try await readings.countPoints() == 540)

        // The same file again stores nothing twice.
        let again = try await t.http.post("/api/v1/imports?name=again.csv.gz", raw: gzipped)
        let repeated = try await finished(t, try #require(again.json["import_id"] as? String))
        #expect(repeated["status"] as? String == "succeeded" && repeated["stored"] as? Int == 0 && repeated["duplicates"] as? Int == 540, "\(repeated)")
        #expect(try await readings.countPoints() == 540)

        // A header that is no history file is refused at once; a bad line fails the import
        // with its place, after what came before it was stored.
        let notHistory = try await t.http.post("/api/v1/imports", raw: Data("hello,world\n1,2\n".utf8))
        #expect(notHistory.status == 422 && (notHistory.json["error"] as? [String: Any])?["field"] as? String == "body", "\(notHistory.text)")
        let badLine = "sensor_id,ts_ms,value\nimp-a,\(Self.startMs + 3 * 3_600_000),4.2\nimp-a,yesterday,4.3\n"
        let failing = try await t.http.post("/api/v1/imports?name=bad.csv", raw: Data(badLine.utf8))
        #expect(failing.status == 202, "\(failing.text)")
        let failed = try await finished(t, try #require(failing.json["import_id"] as? String))
        #expect(failed["status"] as? String == "failed" && (failed["error"] as? String ?? "").contains("bad.csv:3"), "\(failed)")
        #expect(try await t.http.post("/api/v1/imports", raw: Data()).status == 422)
        #expect(try await t.http.post("/api/v1/imports", raw: Data(repeating: 65, count: 70_000)).status == 413)

        let list = try await t.http.get("/api/v1/imports")
        let names = (list.json["imports"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(names == ["bad.csv", "again.csv.gz", "history.csv.gz"], "\(list.text)")
        #expect(try await t.http.get("/api/v1/imports/import-0").status == 404)
        #expect(try await t.http.get("/api/v1/imports?limit=0").status == 422)
    }

    /// Polls an import until it is no longer running.
    private func finished(_ t: TestCluster, _ id: String) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        _ = try await t.eventually(timeout: .seconds(120)) {
            last = try await t.http.get("/api/v1/imports/\(id)").json
            return last["status"] as? String != "running"
        }
        return last
    }

    private func gzip(_ data: Data) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(data)
        try input.fileHandleForWriting.close()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return compressed
    }
}
