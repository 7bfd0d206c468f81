// Benchmarks of Waterline (`make bench`). Prints figures; asserts nothing.
//
//  1. transport: readings/s through SubmitReadings over ZeroMQ with a handler that only
//     decodes and validates (batches of 1000): the RPC + protobuf ceiling.
//  2. store: readings/s from client to stored raw through the ingest service, live-shaped
//     and history-shaped batches, next to the database's own bulk-insert rate for one
//     document per reading in the same run; documents, bytes and index bytes per million
//     readings, one document per reading against hour buckets.
//  3. latency: submission of a reading to publication of its score, p50/p99, at a fixed
//     offered rate.
//  4. cleaning: readings/s through the pure cleaning module on one core, and the
//     memory of the cleaning state per sensor for 100,000 sensors.
//  5. preprocess: readings/s from the raw stream to stored clean points through the
//     preprocess service (ingest and preprocess running, the rest not).
//  6. scale-out: end-to-end readings/s with 1, 2 and 3 preprocess replicas (and the
//     preprocess stage alone), and the time to take over a killed replica's partitions.
//  7. overload: a replay through the whole system unloaded, under a one-core CPU hog,
//     and from 3 replayers at once: readings/s, longest stall, retries by cause.
//  8. insight-rebuild: one zone of 100 sensors with 14 days of 5-minute scores through
//     the zone gate and detector in-process, and rebuilt by the insight service from
//     every score and from its checkpoint.
//  9. insight-scale: the insight stage alone, fed by the bench as the model would: scores/s
//     judged with 1 and 3 replicas, and the takeover of a killed replica's zones.
// 10. import: `waterline import` of a long CSV into the whole system, readings/s to raw
//     stored and to scores stored.
// 11. rollups: a year of one sensor's one-minute clean points written with and without
//     rollups; the year read at 1h and 1d, a week at 5m and every point of a week.
// 12. capacity: bytes and index bytes per sensor-hour of one-minute data in each series
//     collection and per sensor-day of rollups (docs/capacity.md).
// 13. hydraulics: the EPANET engine on L-Town: one steady state, and a day of 5-minute
//     extended-period steps.
import Foundation
import Ingest
import Logging
import Mongo
import Simulation
import SwiftProtobuf
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

LineBufferedOutput.enable()
let arguments = CommandLine.arguments.dropFirst()
let only = arguments.first

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func makeBatch(_ n: Int, sensors: [String], startMs: Int64, offset: Int) -> SubmitReadingsRequest {
    var request = SubmitReadingsRequest()
    request.readings = (0..<n).map { i in
        var r = Reading()
        let k = offset + i
        r.sensorID = sensors[k % sensors.count]
        r.tsMs = startMs + Int64(k / sensors.count) * 60_000
        r.value = 3.5 + Double(k % 97) / 100
        return r
    }
    return request
}

// MARK: 1. Transport ceiling

func benchTransport() async throws {
    let sensors = (0..<100).map { "bench-\($0)" }
    let known = Set(sensors)
    let benchSensor: Sensor = {
        var s = Sensor()
        s.kind = .pressure
        s.unit = "bar"
        return s
    }()
    let validator = ReadingValidator()
    let server = try RPCServer(name: "bench", bind: "tcp://127.0.0.1:*", logger: Logger(label: "bench"))
    server.register(IngestRPC.submitReadings) { request, _ in
        let now = nowMs()
        var reply = SubmitReadingsResponse()
        for (i, r) in request.readings.enumerated() where validator.rejection(of: r, nowMs: now, sensor: { known.contains($0) ? benchSensor : nil }) != nil {
            var rejection = ReadingRejection()
            rejection.index = UInt32(i)
            reply.rejected.append(rejection)
        }
        reply.accepted = UInt32(request.readings.count - reply.rejected.count)
        return reply
    }
    let serving = Task { await server.run() }
    let client = try RPCClient(name: "bench", connect: [server.endpoint])
    let batches = (0..<16).map { makeBatch(1000, sensors: sensors, startMs: 1_790_000_000_000, offset: $0 * 1000) }
    let total = 2000
    let inFlight = 8
    let started = ContinuousClock.now
    var accepted = 0
    try await withThrowingTaskGroup(of: Int.self) { group in
        var sent = 0
        for _ in 0..<inFlight {
            let b = batches[sent % batches.count]
            group.addTask { Int(try await client.call(IngestRPC.submitReadings, b).accepted) }
            sent += 1
        }
        while let n = try await group.next() {
            accepted += n
            if sent < total {
                let b = batches[sent % batches.count]
                group.addTask { Int(try await client.call(IngestRPC.submitReadings, b).accepted) }
                sent += 1
            }
        }
    }
    let elapsed = seconds(ContinuousClock.now - started)
    print(String(format: "transport: %d readings in %.2f s = %.0f readings/s (SubmitReadings, batches of 1000, %d in flight, decode + validate only)",
                 accepted, elapsed, Double(accepted) / elapsed, inFlight))
    await client.close()
    server.beginShutdown()
    await serving.value
}

// MARK: 2 & 3. With the database and the services

func withCluster(
    _ services: [LocalCluster.Member] = [.ingest, .preprocess, .model, .insight, .gateway],
    _ body: (LocalCluster) async throws -> Void
) async throws {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-bench-\(getpid())-\(UUID().uuidString.prefix(6))")
    let cluster = LocalCluster(binDirectory: bin, dataDirectory: dir, ports: try .free())
    try await cluster.start(only: services)
    do { try await body(cluster) } catch {
        await cluster.stop()
        throw error
    }
    await cluster.stop()
    if ProcessInfo.processInfo.environment["WATERLINE_BENCH_KEEP"] == "1" {
        print("  (kept \(dir.path): the database and the services' logs)")
    } else {
        try? FileManager.default.removeItem(at: dir)
    }
}

/// A collection's documents, BSON bytes and index bytes, as the server's collStats says.
func collectionStats(_ mongo: MongoClient, _ name: String) async throws -> (docs: Double, bytes: Double, index: Double) {
    let s = try await mongo.command(["collStats": .string(name)])
    return (s["count"]?.doubleValue ?? 0, s["size"]?.doubleValue ?? 0, s["totalIndexSize"]?.doubleValue ?? 0)
}

func register(_ sensors: [String], ingest: RPCClient) async throws {
    var request = RegisterSensorsRequest()
    request.sensors = sensors.map { benchSensor($0) }
    _ = try await ingest.call(IngestRPC.registerSensors, request)
}

/// A pressure sensor (bar, 0–20) as the benches register it.
func benchSensor(_ id: String, zone: String = "bench", cadenceMs: Int64 = 60_000) -> Sensor {
    var s = Sensor()
    s.sensorID = id
    s.kind = .pressure
    s.unit = "bar"
    s.zone = zone
    s.minValue = 0
    s.maxValue = 20
    s.cadenceMs = cadenceMs
    return s
}

/// Offers `rate` readings/s from 50 sensors for `duration` seconds; data time advances
/// one cadence per 100 ms tick. Preprocess emits a slot once the watermark (newest
/// reading minus two cadences) has passed it, so a point is released by the tick that
/// carries data three cadences later: latency is reported from that release, and from
/// the reading's own submission (which adds the three ticks of the watermark hold).
/// Each sensor's values follow a slow wave with a little noise, as pressure does: a
/// constant series turns stuck after 30 slots, and the cleaner's correction of the whole
/// run (a later revision) is not the latency of a reading. Only first versions count;
/// corrections are counted apart.
func benchLatency(_ cluster: LocalCluster, rate: Int, seconds duration: Int) async throws {
    let sensors = (0..<50).map { "lat-\(rate)-\($0)" }
    let ingest = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(30))
    try await register(sensors, ingest: ingest)
    let subscriber = try StreamSubscriber(name: "bench", connect: ["tcp://127.0.0.1:\(cluster.ports.scorePub)"], topics: ["score."])
    try await Task.sleep(for: .milliseconds(500))
    let startMs: Int64 = 1_779_999_960_000  // on a minute: tick k is slot k
    let perTick = max(sensors.count, rate / 10)
    let ticks = duration * 10
    let sentAt = Locked<[Int: Double]>([:])
    let latencies = Locked<(release: [Double], own: [Double])>(([], []))
    let corrections = Locked(0)
    /// Release→score latencies by the second of the run their reading was sent in: a
    /// backlog at the start shows as falling medians.
    let perSecond = Locked<[Int: [Double]]>([:])
    let collector = Task {
        while let batch = await subscriber.nextBatch() {
            let now = Date().timeIntervalSince1970 * 1000
            for m in batch {
                guard let scores = try? ScoreBatch(serializedBytes: m.payload) else { continue }
                for s in scores.scores {
                    guard s.revision <= 1 else {
                        corrections.withLock { $0 += 1 }
                        continue
                    }
                    let tick = Int((s.tsMs - startMs) / 60_000)
                    let sent = sentAt.value
                    guard let own = sent[tick], let release = sent[tick + 3] else { continue }
                    latencies.withLock { $0.release.append(now - release); $0.own.append(now - own) }
                    perSecond.withLock { $0[tick / 10, default: []].append(now - release) }
                }
            }
        }
    }
    // The clean stream too, to tell preprocess's share of the latency from the model's.
    let cleanTap = try StreamSubscriber(name: "bench-clean", connect: ["tcp://127.0.0.1:\(cluster.ports.cleanPub)"], topics: ["clean."])
    let cleanLatencies = Locked<[Double]>([])
    let cleanCollector = Task {
        while let batch = await cleanTap.nextBatch() {
            let now = Date().timeIntervalSince1970 * 1000
            for m in batch {
                guard let points = try? CleanBatch(serializedBytes: m.payload) else { continue }
                for p in points.points where p.revision <= 1 {
                    guard let release = sentAt.value[Int((p.tsMs - startMs) / 60_000) + 3] else { continue }
                    cleanLatencies.withLock { $0.append(now - release) }
                }
            }
        }
    }
    let start = ContinuousClock.now
    for tick in 0..<ticks {
        var request = SubmitReadingsRequest()
        request.readings = (0..<perTick).map { i in
            var r = Reading()
            r.sensorID = sensors[i % sensors.count]
            // perTick/50 readings per sensor per tick, spread over its cadence.
            r.tsMs = startMs + Int64(tick) * 60_000 + Int64(i / sensors.count) * 60_000 / Int64(perTick / sensors.count)
            let wave = sin(2 * Double.pi * Double(tick + 7 * (i % sensors.count)) / 90)
            r.value = 3.5 + 0.4 * wave + Double((i * 37) % 11) / 1_000
            return r
        }
        sentAt.withLock { $0[tick] = Date().timeIntervalSince1970 * 1000 }
        _ = try await ingest.call(IngestRPC.submitReadings, request)
        try await Task.sleep(until: start + .milliseconds(100 * (tick + 1)))
    }
    try await Task.sleep(for: .seconds(5))
    await subscriber.close()
    await cleanTap.close()
    _ = await collector.value
    _ = await cleanCollector.value
    let (release, own) = latencies.value
    guard !release.isEmpty else { print("latency: no scores received at \(rate) readings/s"); return }
    func pct(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
    print(String(format: "latency at %d readings/s offered for %d s (%d points scored, %d corrections apart): watermark release→score published p50 %.1f ms, p99 %.1f ms; reading submitted→score p50 %.1f ms, p99 %.1f ms",
                 rate, duration, release.count, corrections.value, pct(release, 0.5), pct(release, 0.99), pct(own, 0.5), pct(own, 0.99)))
    let clean = cleanLatencies.value
    if !clean.isEmpty {
        print(String(format: "  of which release→clean published (preprocess): p50 %.1f ms, p99 %.1f ms", pct(clean, 0.5), pct(clean, 0.99)))
    }
    let medians = perSecond.value.sorted { $0.key < $1.key }.map { String(format: "%.0f", pct($0.value, 0.5)) }
    print("  release→score p50 by second of the run (ms): \(medians.joined(separator: ", "))")
    await ingest.close()
}

if only == nil || only == "cleaning" {
    printCleaningLayout()
    benchCleaningThroughput()
    benchCleaningState()

}
if only == nil || only == "deepar" { benchDeepAR() }
if only == "deepar-inference" { benchDeepAR(maxEpochs: 1, batchesPerEpoch: 1) }
if only == nil || only == "transport" { try await benchTransport() }
if only == nil || only == "store" {
    try await withCluster([.ingest]) { try await benchStore($0) }
}
if only == nil || only == "preprocess" { try await benchPreprocess() }
if only == nil || only == "scale" {
    for replicas in 1...3 { try await benchScaleOut(replicas: replicas) }
    for replicas in 1...3 { try await benchPreprocessStage(replicas: replicas) }
}
if only == nil || only == "takeover" {
    for ttl in [10_000, 3_000] { try await benchTakeover(ttlMs: ttl) }
}
if only == nil || only == "overload" { try await benchOverload() }
if only == nil || only == "insight-rebuild" { try await benchInsightRebuild() }
if only == nil || only == "insight-scale" {
    for replicas in [1, 3] { try await benchInsightScale(replicas: replicas, killOne: false) }
    try await benchInsightScale(replicas: 3, killOne: true)
}
if only == nil || only == "import" { try await benchImport() }
if only == nil || only == "rollups" { try await withCluster([.preprocess]) { try await benchRollups($0) } }
if only == nil || only == "capacity" { try await withCluster([]) { try await benchCapacity($0) } }
if only == nil || only == "hydraulics" { try benchHydraulics() }
if only == nil || only == "latency" {
    for rate in [1000, 5000] {
        try await withCluster { try await benchLatency($0, rate: rate, seconds: 15) }
    }
}
