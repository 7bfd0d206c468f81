import Detection
import Foundation
import Mongo
import Simulation
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

/// 9. insight-scale: the insight stage alone (the database and insight replicas; the bench
/// stands in for the model): 16 zones of 25 pressure sensors, one day of 5-minute scores
/// (115,200), stored in `scores` and published on the score stream as the model would.
/// - Throughput: every score stored first, then scores/s from the first published batch
///   until the replicas together have judged every score, with 1 and with 3 replicas
///   (each reads the whole stream and judges its zones).
/// - Takeover: with 3 replicas, the scores stored and published slot by slot, one replica
///   SIGKILLed halfway through the stream: when the last of its zones was claimed again.
func benchInsightScale(replicas: Int, killOne: Bool) async throws {
    let step: Int64 = 300_000
    let start: Int64 = 1_704_067_200_000
    let zones = (0..<16).map { "zone\($0)" }
    let ids = zones.flatMap { z in (0..<25).map { String(format: "\(z)-p%02d", $0) } }
    let slots = 288
    let ttlMs = 4_000
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-bench-\(getpid())-insight-\(replicas)")
    let cluster = LocalCluster(binDirectory: bin, dataDirectory: dir, ports: try .free())
    defer { try? FileManager.default.removeItem(at: dir) }
    cluster.extraEnvironment = ["WATERLINE_LEASE_TTL_MS": "\(ttlMs)", "WATERLINE_TRAIN_SCHEDULE": "off"]
    try cluster.setReplicas([.insight: 3])
    try await cluster.start(only: [])
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 2)
    try await ensureIndexes(mongo)
    try await SensorDirectory(collection: mongo.collection(Collections.sensors)).register(ids.map {
        benchSensor($0, zone: String($0.prefix { $0 != "-" }), cadenceMs: step)
    })
    // The bench is the model: it publishes on the model's score port.
    let publisher = try StreamPublisher(name: "bench-scores", bind: "tcp://127.0.0.1:\(cluster.replicaPorts(.model, 0).pub)")
    for replica in 0..<replicas { try await cluster.startService(.insight, replica: replica) }
    let leases = mongo.collection(Collections.leases)
    _ = try await waitFor(seconds: 60) { try await holders(leases, "insight").count == replicas }

    var rng = SeededGenerator(seed: 9)
    let partitioner = Partitioner(count: 64)
    let sequences = SequenceCounter()
    let scores = SeriesStore(mongo.collection(Collections.scores), rule: .scores)
    let total = ids.count * slots
    var batches: [[Score]] = []
    for slot in 0..<slots {
        var batch: [Score] = []
        for id in ids {
            let surprise = rng.nextGaussian() * 0.6
            var s = Score()
            s.sensorID = id
            s.tsMs = start + Int64(slot) * step
            s.value = 50 + surprise
            s.forecastMean = 50
            s.lower = 49
            s.upper = 51
            s.anomalyScore = surprise
            s.anomalous = abs(surprise) > 1.5
            s.warmedUp = true
            s.zone = String(id.prefix { $0 != "-" })
            s.modelVersion = "bench"
            s.revision = 1
            batch.append(s)
        }
        batches.append(batch)
    }
    // Throughput: every score is stored before the clock starts (a gap on the stream is
    // refilled from them), so the figure is insight's, not the database's insert rate.
    // Takeover: stored slot by slot as the model does, so the rebuild finds them.
    if !killOne {
        for batch in batches { _ = try await scores.write(batch.map(\.document)).checked("store scores") }
    }
    let began = ContinuousClock.now
    var killedMs: Int64 = 0
    var victimZones: [Int64] = []
    for (slot, batch) in batches.enumerated() {
        if killOne { _ = try await scores.write(batch.map(\.document)).checked("store scores") }
        var byPartition: [UInt32: [Score]] = [:]
        for s in batch { byPartition[partitioner.partition(of: s.sensorID), default: []].append(s) }
        for (partition, items) in byPartition.sorted(by: { $0.key < $1.key }) {
            var message = ScoreBatch()
            message.partition = partition
            message.publisherID = "bench-model"
            message.sequence = sequences.next(String(partition))
            message.scores = items
            _ = try publisher.publish(topic: "score.\(partition)", message)
        }
        if killOne && slot == slots / 2 {
            victimZones = try await leases.find(["group": "insight", "owner": "insight-local-2", "expires_ms": ["$gt": .int64(nowMs())]])
                .compactMap { $0["partition"]?.int64Value }
            cluster.crash(.insight, replica: 1)
            killedMs = nowMs()
        }
    }
    let published = seconds(ContinuousClock.now - began)
    if killOne {
        let survivors = ["insight-local", "insight-local-3"]
        let held = try await waitFor(seconds: 120) {
            let owners = try await holders(leases, "insight")
            return Set(owners.keys).isSubset(of: survivors) && owners.values.reduce(0, +) == 16
        }
        let claims = try await leases.find(["group": "insight", "partition": ["$in": .array(victimZones.map { .int64($0) })]])
        let lastClaim = claims.compactMap { $0["claimed_ms"]?.int64Value }.max() ?? 0
        print(String(format: "insight takeover, 3 replicas, one SIGKILLed halfway through %d scores (it held %d of 16 zone partitions; lease time %.0f s): %@ the last of them claimed again %.2f s after the kill",
                     total, victimZones.count, Double(ttlMs) / 1000, held ? "taken over;" : "NOT all taken over within 120 s;",
                     Double(lastClaim - killedMs) / 1000))
    } else {
        let judged = await waitForCount(target: total) { await judgedScores(cluster, Array(0..<replicas)) }
        let elapsed = seconds(ContinuousClock.now - began)
        print(String(format: "insight stage, %d replica%@: %d scores (16 zones × 25 sensors × 1 day at 5 min) stored beforehand, published in %.1f s, judged %d in %.1f s: %.0f scores/s",
                     replicas, replicas == 1 ? "" : "s", total, published, judged, elapsed, Double(judged) / elapsed))
    }
    mongo.close()
    await cluster.stop()
}

/// Scores judged (released through the zone gates into the detectors), summed over the
/// insight replicas' `judged` counters.
func judgedScores(_ cluster: LocalCluster, _ replicas: [Int]) async -> Int {
    var total = 0
    for replica in replicas {
        let port = cluster.replicaPorts(.insight, replica).rpc
        guard let client = try? RPCClient(name: "bench-stats", connect: ["tcp://127.0.0.1:\(port)"], timeout: .seconds(5)) else { continue }
        total += Int((try? await client.call(InsightRPC.stats, StatsRequest()))?.counters["judged"] ?? 0)
        await client.close()
    }
    return total
}
