import Foundation
import Mongo
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

/// A year of one sensor's one-minute clean points, written a day at a time through the
/// clean store that keeps rollups (as preprocess does) and through one that does not;
/// then the chart reads: the year at `1h` and `1d`, a week at `5m`, against reading a
/// week of every point.
func benchRollups(_ cluster: LocalCluster) async throws {
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 4)
    defer { mongo.close() }
    try await ensureIndexes(mongo)
    let rollups = mongo.collection(Collections.rollups)
    let day: Int64 = 86_400_000
    let start: Int64 = 1_704_067_200_000  // 2024-01-01 UTC
    func days(_ sensor: String) -> [[Document]] {
        (0..<365).map { d in
            (0..<1440).map { m in
                var p = CleanPoint()
                p.sensorID = sensor
                p.tsMs = start + Int64(d) * day + Int64(m) * 60_000
                p.value = 50 + 10 * sin(Double(m) / 1440 * 2 * .pi) + Double(d % 7)
                p.revision = 1
                return p.document
            }
        }
    }
    func write(_ store: SeriesStore, _ batches: [[Document]]) async throws -> Double {
        let started = ContinuousClock.now
        for batch in batches { _ = try await store.write(batch).checked("bench") }
        try await store.rollups?.flush(all: true)
        return Double(batches.count * 1440) / seconds(ContinuousClock.now - started)
    }
    let plain = try await write(SeriesStore(mongo.collection(Collections.clean), rule: .clean), days("plain"))
    let kept = try await write(SeriesStore(mongo.collection(Collections.clean), rule: .clean, rollups: rollups), days("year"))
    print(String(format: "rollups: a year of one-minute clean points written a day per call: %.0f points/s keeping rollups, %.0f without (%.0f %%)", kept, plain, 100 * kept / plain))

    func timed(_ runs: Int, _ read: () async throws -> Int) async throws -> (median: Double, p95: Double, points: Int) {
        var ms: [Double] = []
        var points = 0
        for _ in 0..<runs {
            let started = ContinuousClock.now
            points = try await read()
            ms.append(seconds(ContinuousClock.now - started) * 1000)
        }
        ms.sort()
        return (ms[ms.count / 2], ms[min(ms.count - 1, ms.count * 95 / 100)], points)
    }
    let end = start + 365 * day - 1
    for (label, resolution, from) in [("a year at 1h", SeriesResolution.hour, start), ("a year at 1d", .day, start), ("a week at 5m", .fiveMinutes, end - 7 * day + 1)] {
        let r = try await timed(21) {
            try await SeriesRollupWriter.read(rollups, sensorID: "year", from: from, to: end, resolution: resolution).count
        }
        print(String(format: "rollups: %@: %d points, median %.1f ms, p95 %.1f ms (21 reads, through libmongoc, no RPC)", label, r.points, r.median, r.p95))
    }
    // What the gateway asks preprocess for (RPC, protobuf): the same year at 1h.
    let preprocess = try RPCClient(name: "bench", connect: [cluster.preprocessRPC], timeout: .seconds(60))
    defer { Task { await preprocess.close() } }
    var request = RollupRequest()
    request.sensorID = "year"
    request.fromMs = start
    request.toMs = end
    request.resolution = "1h"
    let rpc = try await timed(21) { try await preprocess.call(PreprocessRPC.getSeriesRollups, request).points.count }
    print(String(format: "rollups: a year at 1h through preprocess's GetSeriesRollups RPC: %d points, median %.1f ms, p95 %.1f ms", rpc.points, rpc.median, rpc.p95))
    let clean = SeriesStore(mongo.collection(Collections.clean), rule: .clean)
    let raw = try await timed(5) { try await clean.find("year", from: end - 7 * day + 1, to: end).count }
    print(String(format: "rollups: a week of every point (raw): %d points, median %.1f ms", raw.points, raw.median))
}
