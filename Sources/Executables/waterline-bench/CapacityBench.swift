import Foundation
import Mongo
import WaterlineCLI
import WaterlineKit
import WaterlineProto

/// What a sensor-hour of one-minute data costs in each series collection once it is one
/// segment (imported, or compacted from the live path), with its rollups: the measured
/// basis of docs/capacity.md. 100 sensors × 2 days, written an hour per sensor per call.
func benchCapacity(_ cluster: LocalCluster) async throws {
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 4)
    defer { mongo.close() }
    try await ensureIndexes(mongo)
    let rollups = mongo.collection(Collections.rollups)
    let readings = SeriesStore(mongo.collection(Collections.readings), rule: .readings)
    let clean = SeriesStore(mongo.collection(Collections.clean), rule: .clean, rollups: rollups)
    let scores = SeriesStore(mongo.collection(Collections.scores), rule: .scores, rollups: rollups)
    let sensors = (0..<100).map { "zone-\($0 / 10)-sensor-\($0)" }  // ids of 20 characters or so
    let start: Int64 = 1_704_067_200_000
    let hours = 48
    for hour in 0..<hours {
        var raw: [Document] = [], points: [Document] = [], scored: [Document] = []
        for sensor in sensors {
            for minute in 0..<60 {
                let ts = start + Int64(hour * 60 + minute) * 60_000
                let value = 3.5 + sin(Double(hour * 60 + minute) / 229) + Double(minute % 7) / 1_000
                var r = RawReading()
                r.sensorID = sensor
                r.tsMs = ts
                r.value = value
                r.receivedMs = ts + 1_234
                raw.append(r.document)
                var c = CleanPoint()
                c.sensorID = sensor
                c.tsMs = ts
                c.value = value
                c.rawValue = value
                c.smoothed = value - 0.001
                c.seenThroughMs = ts + 60_000
                c.revision = 1
                points.append(c.document)
                var s = Score()
                s.sensorID = sensor
                s.tsMs = ts
                s.value = value
                s.forecastMean = value + 0.01
                s.lower = value - 0.2
                s.upper = value + 0.2
                s.anomalyScore = 0.4
                s.modelVersion = "deepar-20240101T000000Z"
                s.zone = "zone-\(sensor.count % 10)"
                s.warmedUp = true
                s.revision = 1
                scored.append(s.document)
            }
        }
        _ = try await readings.write(raw).checked("readings")
        _ = try await clean.write(points).checked("clean")
        _ = try await scores.write(scored).checked("scores")
    }
    try await clean.rollups?.flush(all: true)
    try await scores.rollups?.flush(all: true)
    let buckets = Double(sensors.count * hours)
    for name in [Collections.readings, Collections.clean, Collections.scores, Collections.rollups] {
        let (docs, bytes, index) = try await collectionStats(mongo, name)
        let unit = name == Collections.rollups ? "sensor-day" : "sensor-hour"
        let per = name == Collections.rollups ? buckets / 24 : buckets
        print(String(format: "capacity: %@: %.0f documents, %.0f bytes and %.0f index bytes per %@ of one-minute data (%.1f bytes per point)",
                     name, docs, bytes / per, index / per, unit, name == Collections.rollups ? 0 : bytes / (buckets * 60)))
    }
}
