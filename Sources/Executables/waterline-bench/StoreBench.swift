import Foundation
import Mongo
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

/// Client → stored raw through the ingest service (ingest alone), next to the database's
/// own bulk insert of one document per reading (the layout before buckets, with its
/// indexes) in the same run, and what each layout stores per million readings.
func benchStore(_ cluster: LocalCluster) async throws {
    let sensors = (0..<100).map { "store-\($0)" }
    let ingest = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(120))
    try await register(sensors, ingest: ingest)
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 4)
    defer { mongo.close() }

    // Before buckets: a document per reading, keyed by (sensor_id, ts_ms), with the two
    // indexes `readings` had.
    let perPoint = mongo.collection("bench_per_point")
    try await perPoint.createIndex(["sensor_id": 1, "ts_ms": 1], name: "sensor_ts")
    try await perPoint.createIndex(["sensor_id": 1, "received_ms": 1], name: "sensor_received")
    let direct = (0..<100).map { b in
        makeBatch(1000, sensors: sensors, startMs: 1_700_000_000_000, offset: b * 1000).readings.map { r in
            var raw = RawReading()
            raw.sensorID = r.sensorID
            raw.tsMs = r.tsMs
            raw.value = r.value
            raw.receivedMs = nowMs()
            return raw.document
        }
    }
    var started = ContinuousClock.now
    for batch in direct { _ = try await perPoint.insertMany(batch) }
    let dbRate = Double(100_000) / seconds(ContinuousClock.now - started)

    // Live-shaped: batches of 1,000 readings, 10 per sensor (each adds to its hour).
    let live = (0..<100).map { makeBatch(1000, sensors: sensors, startMs: 1_750_000_000_000, offset: $0 * 1000) }
    started = ContinuousClock.now
    var stored = 0
    for batch in live { stored += Int(try await ingest.call(IngestRPC.submitReadings, batch).accepted) }
    let liveRate = Double(stored) / seconds(ContinuousClock.now - started)

    // History-shaped, as `waterline import` sends: batches of up to 9,600 readings (ingest
    // takes 10,000 at most), 40 sensors' four hours each in time order (one-minute
    // cadence): 2 days of 100 sensors.
    let hours = 48
    let firstHour: Int64 = 1_760_000_000_000 / 3_600_000 * 3_600_000
    var history: [SubmitReadingsRequest] = []
    for block in stride(from: 0, to: hours, by: 4) {
        for group in stride(from: 0, to: sensors.count, by: 40) {
            var request = SubmitReadingsRequest()
            for sensor in sensors[group..<min(sensors.count, group + 40)] {
                for minute in 0..<(4 * 60) {
                    var r = Reading()
                    r.sensorID = sensor
                    r.tsMs = firstHour + Int64(block * 60 + minute) * 60_000
                    r.value = 3.5 + Double(minute % 97) / 100
                    request.readings.append(r)
                }
            }
            history.append(request)
        }
    }
    started = ContinuousClock.now
    var historyStored = 0
    for batch in history { historyStored += Int(try await ingest.call(IngestRPC.submitReadings, batch).accepted) }
    let historyRate = Double(historyStored) / seconds(ContinuousClock.now - started)
    print(String(format: "store: database bulk insert, a document per reading: %.0f docs/s; Waterline client→stored, hour buckets: %.0f readings/s live-shaped (%d readings, batches of 1,000 = 10 per sensor), %.0f readings/s history-shaped (%d readings, batches of up to 9,600 = 4 hours of 40 sensors); ratios %.2f and %.2f of the per-document insert rate (sequential calls, ingest alone)",
                 dbRate, liveRate, stored, historyRate, historyStored, liveRate / dbRate, historyRate / dbRate))

    // Per million readings, from the server's own collStats.
    let before = try await collectionStats(mongo, "bench_per_point")
    let after = try await collectionStats(mongo, Collections.readings)
    let readings = Double(stored + historyStored)
    func perMillion(_ v: Double, _ n: Double) -> Double { v / n * 1_000_000 }
    print(String(format: "store: per million readings — a document per reading: %.0f documents, %.1f MB, indexes %.1f MB; hour buckets: %.0f documents, %.1f MB, indexes %.1f MB (SecantusDB's collStats; %d and %.0f readings stored)",
                 perMillion(before.docs, 100_000), perMillion(before.bytes, 100_000) / 1e6, perMillion(before.index, 100_000) / 1e6,
                 perMillion(after.docs, readings), perMillion(after.bytes, readings) / 1e6, perMillion(after.index, readings) / 1e6,
                 100_000, readings))
    await ingest.close()
}
