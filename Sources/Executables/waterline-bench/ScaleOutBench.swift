import Foundation
import Mongo
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

// MARK: 6. Scale-out: preprocess replicas, and taking over a dead one's partitions

/// End-to-end readings/s with `replicas` preprocess replicas (leases split the 64
/// partitions): readings submitted to ingest in batches of 1000 by 4 concurrent clients,
/// stored, published on the raw stream, cleaned and stored as clean points (progress
/// from the replicas' Stats, not from polling the database).
func benchScaleOut(replicas: Int, sensors count: Int = 600, minutes: Int = 100) async throws {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-bench-\(getpid())-scale\(replicas)")
    let cluster = LocalCluster(binDirectory: bin, dataDirectory: dir, ports: try .free())
    cluster.extraEnvironment = ["WATERLINE_IDLE_FLUSH_MS": "500"]
    try cluster.setReplicas([.preprocess: replicas])
    try await cluster.start(only: [.ingest, .preprocess])
    defer { try? FileManager.default.removeItem(at: dir) }
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 2)
    let leases = mongo.collection(Collections.leases)
    _ = try await waitFor(seconds: 60) { try await holders(leases, "preprocess").count == replicas }
    let ingest = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(60))

    // Through ingest: the whole path.
    let viaIngest = (0..<count).map { "scale-a-\($0)" }
    try await register(viaIngest, ingest: ingest)
    let startMs: Int64 = 1_790_000_000_000
    let total = count * minutes
    let started = ContinuousClock.now
    // Each client sends its own quarter of the sensors, minute after minute (in time
    // order per sensor, as field devices do), 1000 readings per call.
    try await withThrowingTaskGroup(of: Void.self) { group in
        for client in 0..<4 {
            let mine = viaIngest.enumerated().filter { $0.offset % 4 == client }.map(\.element)
            group.addTask {
                let rpc = try RPCClient(name: "bench-\(client)", connect: [cluster.ingestRPC], timeout: .seconds(60))
                let readings = mine.count * minutes
                var offset = 0
                while offset < readings {
                    let n = min(1000, readings - offset)
                    _ = try await rpc.call(IngestRPC.submitReadings, makeBatch(n, sensors: mine, startMs: startMs, offset: offset))
                    offset += n
                }
                await rpc.close()
            }
        }
        try await group.waitForAll()
    }
    let submitted = ContinuousClock.now
    // Progress from the replicas' own counters (a count in the database, polled, would
    // load the database the bench measures).
    _ = await waitForCount(target: total) { await storedClean(cluster, replicas) }
    let endToEnd = seconds(ContinuousClock.now - started)
    let storedA = await storedClean(cluster, replicas)

    print(String(
        format: "scale-out, %d preprocess replica%@: end to end (4 clients -> ingest -> raw stream -> preprocess -> clean) %d readings in %.1f s (submitted in %.1f s): %.0f readings/s",
        replicas, replicas == 1 ? "" : "s", storedA, endToEnd, seconds(submitted - started), Double(storedA) / endToEnd))
    mongo.close()
    await ingest.close()
    await cluster.stop()
}

/// The preprocess stage alone with `replicas` replicas: the bench publishes the raw
/// stream itself (each reading under its sensor's partition; ingest only registers the
/// sensors and publishes nothing), timed to the last clean point stored.
func benchPreprocessStage(replicas: Int, sensors count: Int = 600, minutes: Int = 100) async throws {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-bench-\(getpid())-stage\(replicas)")
    let cluster = LocalCluster(binDirectory: bin, dataDirectory: dir, ports: try .free())
    let benchPort = try freePorts(1)[0]
    let publisher = try StreamPublisher(name: "bench-raw", bind: "tcp://127.0.0.1:\(benchPort)")
    cluster.extraEnvironment = ["WATERLINE_RAW_STREAM": "tcp://127.0.0.1:\(benchPort)", "WATERLINE_IDLE_FLUSH_MS": "500"]
    try cluster.setReplicas([.preprocess: replicas])
    try await cluster.start(only: [.ingest, .preprocess])
    defer { try? FileManager.default.removeItem(at: dir) }
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 2)
    _ = try await waitFor(seconds: 60) { try await holders(mongo.collection(Collections.leases), "preprocess").count == replicas }
    let ingest = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(60))
    let startMs: Int64 = 1_790_000_000_000
    let total = count * minutes
    let direct = (0..<count).map { "scale-b-\($0)" }
    try await register(direct, ingest: ingest)
    try await Task.sleep(for: .seconds(1))
    let partitioner = Partitioner(count: 64)
    var sequences: [UInt32: UInt64] = [:]
    let stageStarted = ContinuousClock.now
    for minute in 0..<minutes {
        var byPartition: [UInt32: [RawReading]] = [:]
        for (i, id) in direct.enumerated() {
            var r = RawReading()
            r.sensorID = id
            r.tsMs = startMs + Int64(minute) * 60_000
            r.value = 3.5 + 0.3 * sin(Double(minute) / 60 + Double(i)) + Double((minute * 7 + i) % 13) / 1000
            r.receivedMs = nowMs()
            byPartition[partitioner.partition(of: id), default: []].append(r)
        }
        for (partition, readings) in byPartition {
            var batch = RawReadingBatch()
            batch.publisherID = "bench"
            batch.partition = partition
            sequences[partition, default: 0] += 1
            batch.sequence = sequences[partition]!
            batch.readings = readings
            _ = try publisher.publish(topic: "raw.\(partition)", batch)
        }
        // Paced a little, so the bench's own PUB queue does not drop (it is not the subject).
        if minute % 10 == 9 { try await Task.sleep(for: .milliseconds(20)) }
    }
    _ = await waitForCount(target: total) { await storedClean(cluster, replicas) }
    let stage = seconds(ContinuousClock.now - stageStarted)
    let storedB = await storedClean(cluster, replicas)
    print(String(
        format: "scale-out, %d preprocess replica%@: preprocess stage alone (raw stream -> clean stored) %d readings in %.1f s: %.0f readings/s",
        replicas, replicas == 1 ? "" : "s", storedB, stage, Double(storedB) / stage))
    mongo.close()
    await ingest.close()
    await publisher.close()
    await cluster.stop()
}

/// How long a dead preprocess replica's partitions wait: two replicas, one killed with
/// SIGKILL; the time from the kill to the survivor holding all 64 partitions (from the
/// leases' `claimed_ms`), for a lease time of `ttlMs`.
func benchTakeover(ttlMs: Int) async throws {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-bench-\(getpid())-takeover")
    let cluster = LocalCluster(binDirectory: bin, dataDirectory: dir, ports: try .free())
    cluster.extraEnvironment = ["WATERLINE_LEASE_TTL_MS": "\(ttlMs)"]
    try cluster.setReplicas([.preprocess: 2])
    try await cluster.start(only: [.ingest, .preprocess])
    defer { try? FileManager.default.removeItem(at: dir) }
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 2)
    let leases = mongo.collection(Collections.leases)
    _ = try await waitFor(seconds: 60) { try await holders(leases, "preprocess").count == 2 }
    let victim = try await holders(leases, "preprocess")["preprocess-local-2"] ?? 0
    cluster.crash(.preprocess, replica: 1)
    let killedMs = nowMs()
    let taken = try await waitFor(seconds: 120) { try await holders(leases, "preprocess") == ["preprocess-local": 64] }
    let claims = try await leases.find(["group": "preprocess", "owner": "preprocess-local", "claimed_ms": ["$gte": .int64(killedMs)]])
    let last = claims.compactMap { $0["claimed_ms"]?.int64Value }.max() ?? 0
    let first = claims.compactMap { $0["claimed_ms"]?.int64Value }.min() ?? 0
    print(String(
        format: "takeover: lease time %.1f s; the killed replica held %d partitions; taken over %@ %.2f s (first) to %.2f s (last) after the kill",
        Double(ttlMs) / 1000, victim, taken ? "in" : "NOT within 120 s:", Double(first - killedMs) / 1000, Double(last - killedMs) / 1000))
    mongo.close()
    await cluster.stop()
}

/// Clean points first stored, summed over the preprocess replicas' `stored` counters.
func storedClean(_ cluster: LocalCluster, _ replicas: Int) async -> Int {
    var total = 0
    for replica in 0..<replicas {
        let port = cluster.replicaPorts(.preprocess, replica).rpc
        guard let client = try? RPCClient(name: "bench-stats", connect: ["tcp://127.0.0.1:\(port)"], timeout: .seconds(5)) else { continue }
        total += Int((try? await client.call(PreprocessRPC.stats, StatsRequest()))?.counters["stored"] ?? 0)
        await client.close()
    }
    return total
}

/// Polls a count every 250 ms until it reaches `target`, or stops growing for 30 s
/// (then the shortfall shows in the figures); the last count.
func waitForCount(target: Int, _ count: () async -> Int) async -> Int {
    var last = -1
    var lastChange = ContinuousClock.now
    while true {
        let now = await count()
        if now >= target { return now }
        if now != last { (last, lastChange) = (now, .now) }
        if ContinuousClock.now - lastChange > .seconds(30) {
            FileHandle.standardError.write(Data("bench: stuck at \(now) of \(target)\n".utf8))
            return now
        }
        try? await Task.sleep(for: .milliseconds(250))
    }
}

/// Unexpired partition leases per holder.
func holders(_ leases: MongoCollection, _ group: String) async throws -> [String: Int] {
    try await PartitionLeases.holders(leases, group: group)
}

/// Polls `condition` every 250 ms for up to `seconds`; whether it held.
func waitFor(seconds limit: Double, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(limit * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(250))
    }
    return try await condition()
}
