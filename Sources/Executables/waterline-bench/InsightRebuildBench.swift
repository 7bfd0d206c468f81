import Detection
import Foundation
import Mongo
import Simulation
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

/// 8. insight rebuild: one zone of 100 pressure sensors with 14 days of 5-minute scores
/// (403,200), as insight rebuilds it.
/// - In-process: the points through the zone gate and the event detector (the pure work).
/// - Through the service: the scores stored in MongoDB, then insight started with no
///   checkpoint (rebuilt from every score), then, with one more hour of scores stored,
///   killed and started again (restored from its last checkpoint and that hour): the time
///   to healthy each time, which is the rebuild (insight answers NOT_SERVING until its
///   zones are rebuilt).
func benchInsightRebuild(sensors count: Int = 100, days: Int = 14) async throws {
    let step: Int64 = 300_000
    let start: Int64 = 1_704_067_200_000
    let slots = Int(Int64(days) * 86_400_000 / step)
    let ids = (0..<count).map { String(format: "bench-p%03d", $0) }
    var rng = SeededGenerator(seed: 8)

    // One hour more than the days: it is stored after the first rebuild's checkpoint, as
    // the scores a killed insight missed since its last checkpoint.
    let hour = Int(3_600_000 / step)
    var all: [ScoredPoint] = []
    all.reserveCapacity(count * (slots + hour))
    for slot in 0..<(slots + hour) {
        for id in ids {
            let surprise = rng.nextGaussian() * 0.6
            all.append(ScoredPoint(
                sensorID: id, zone: "bench", role: .pressure, tsMs: start + Int64(slot) * step, value: 50 + surprise,
                forecastMean: 50, score: surprise, anomalous: abs(surprise) > 1.5, warmedUp: true, flags: 0,
                modelVersion: "bench", forecastLower: 49, forecastUpper: 51))
        }
    }
    let points = Array(all[..<(count * slots)])
    let sinceCheckpoint = Array(all[(count * slots)...])
    let began = ContinuousClock.now
    var gate = ZoneSlotGate(latenessMs: 900_000)
    var detector = EventDetector()
    var changes = 0
    for chunk in stride(from: 0, to: points.count, by: 5_000) {
        for p in points[chunk..<min(points.count, chunk + 5_000)] { _ = gate.add(p) }
        for p in gate.release() { changes += detector.observe(p).count }
    }
    for p in gate.releaseAll() { changes += detector.observe(p).count }
    let pure = seconds(ContinuousClock.now - began)
    let encoding = ContinuousClock.now
    let state = try detector.state(ofZone: "bench").encoded()
    let encoded = seconds(ContinuousClock.now - encoding)
    let decoding = ContinuousClock.now
    _ = try EventDetector.ZoneState(encoded: state)
    let decoded = seconds(ContinuousClock.now - decoding)
    print(String(format: "insight rebuild, in-process: %d scores (%d sensors × %d days at 5 min) through the zone gate and detector in %.2f s, %.0f scores/s; %d changes; zone state %.1f MB encoded in %.2f s, decoded in %.2f s",
                 points.count, count, days, pure, Double(points.count) / pure, changes, Double(state.count) / 1e6, encoded, decoded))

    try await withCluster([]) { cluster in
        let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 2)
        defer { mongo.close() }
        let registry = SensorDirectory(collection: mongo.collection(Collections.sensors))
        try await registry.register(ids.map { benchSensor($0, cadenceMs: step) })
        let scores = SeriesStore(mongo.collection(Collections.scores), rule: .scores)
        try await ensureIndexes(mongo)
        let stored = ContinuousClock.now
        try await storeScores(points, in: scores)
        let insertSeconds = seconds(ContinuousClock.now - stored)
        cluster.extraEnvironment = ["WATERLINE_INSIGHT_REBUILD_DAYS": "\(days + 1)"]
        cluster.healthTimeout = .seconds(1800)
        var fromScratch = ContinuousClock.now
        try await cluster.startService(.insight)
        let scratch = seconds(ContinuousClock.now - fromScratch)
        let checkpoints = try await mongo.collection(Collections.insightCheckpoints).count()
        try await storeScores(sinceCheckpoint, in: scores)
        cluster.crash(.insight)
        _ = await cluster.waitForExit(.insight)
        fromScratch = ContinuousClock.now
        try await cluster.startService(.insight)
        let restored = seconds(ContinuousClock.now - fromScratch)
        print(String(format: "insight rebuild, through the service (SecantusDB; %d scores stored in %.1f s, %.0f docs/s, for scale): from every score %.1f s (%.0f scores/s); killed and started again, from its checkpoint (%d saved) and the %d scores of the hour stored since, %.1f s; target ≤ 5 s",
                     points.count, insertSeconds, Double(points.count) / insertSeconds, scratch, Double(points.count) / scratch, checkpoints,
                     sinceCheckpoint.count, restored))
    }
}

/// Stores scored points in `scores` as the model would (first revision), 10,000 per write.
private func storeScores(_ points: [ScoredPoint], in scores: SeriesStore) async throws {
    for chunk in stride(from: 0, to: points.count, by: 10_000) {
        let documents = points[chunk..<min(points.count, chunk + 10_000)].map { p -> Document in
            var s = Score()
            s.sensorID = p.sensorID
            s.tsMs = p.tsMs
            s.value = p.value ?? 0
            s.forecastMean = p.forecastMean
            s.lower = p.forecastLower
            s.upper = p.forecastUpper
            s.anomalyScore = p.score
            s.anomalous = p.anomalous
            s.warmedUp = true
            s.zone = p.zone
            s.modelVersion = p.modelVersion
            s.revision = 1
            return s.document
        }
        _ = try await scores.write(documents).checked("store scores")
    }
}
