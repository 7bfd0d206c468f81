// Benchmarks of Waterline (`make bench`). Prints figures; asserts nothing.
//
//  1. transport: readings/s through SubmitReadings over ZeroMQ with a handler that only
//     decodes and validates (batches of 1000): the RPC + protobuf ceiling.
//  2. store: readings/s from client to stored raw through the ingest service, next to
//     the database's own bulk-insert rate for the same documents in the same run.
//  3. latency: submission of a reading to publication of its score, p50/p99, at a fixed
//     offered rate.
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
    let validator = ReadingValidator()
    let server = try RPCServer(name: "bench", bind: "tcp://127.0.0.1:*", logger: Logger(label: "bench"))
    server.register(IngestRPC.submitReadings) { request, _ in
        let now = nowMs()
        var reply = SubmitReadingsResponse()
        for (i, r) in request.readings.enumerated() where validator.rejection(of: r, nowMs: now, isKnown: known.contains) != nil {
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

func withCluster(_ body: (LocalCluster) async throws -> Void) async throws {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-bench-\(getpid())")
    let cluster = LocalCluster(binDirectory: bin, dataDirectory: dir, ports: try .free())
    try await cluster.start()
    do { try await body(cluster) } catch {
        await cluster.stop()
        throw error
    }
    await cluster.stop()
    try? FileManager.default.removeItem(at: dir)
}

func register(_ sensors: [String], ingest: RPCClient) async throws {
    var request = RegisterSensorsRequest()
    request.sensors = sensors.map { id in
        var s = Sensor()
        s.sensorID = id
        s.kind = .pressure
        s.unit = "bar"
        s.zone = "bench"
        s.minValue = 0
        s.maxValue = 20
        s.cadenceMs = 60_000
        return s
    }
    _ = try await ingest.call(IngestRPC.registerSensors, request)
}

func benchStore(_ cluster: LocalCluster) async throws {
    let sensors = (0..<100).map { "store-\($0)" }
    let ingest = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(60))
    try await register(sensors, ingest: ingest)
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 4)
    let n = 100
    // The database's own rate: the same documents, bulk-inserted directly.
    let direct = mongo.collection("bench_direct")
    let docs = (0..<n).map { b in
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
    for batch in docs { _ = try await direct.insertMany(batch) }
    let dbRate = Double(n * 1000) / seconds(ContinuousClock.now - started)

    // Waterline: client → gateway-free RPC → ingest → validated, stored, published.
    let batches = (0..<n).map { makeBatch(1000, sensors: sensors, startMs: 1_750_000_000_000, offset: $0 * 1000) }
    started = ContinuousClock.now
    var stored = 0
    for batch in batches { stored += Int(try await ingest.call(IngestRPC.submitReadings, batch).accepted) }
    let waterlineRate = Double(stored) / seconds(ContinuousClock.now - started)
    print(String(format: "store: database bulk insert %.0f docs/s; Waterline client→stored %.0f readings/s; ratio %.2f (%d readings, batches of 1000, sequential)",
                 dbRate, waterlineRate, waterlineRate / dbRate, stored))
    mongo.close()
    await ingest.close()
}

func benchLatency(_ cluster: LocalCluster, rate: Int, seconds duration: Int) async throws {
    let sensors = (0..<50).map { "lat-\($0)" }
    let ingest = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(30))
    try await register(sensors, ingest: ingest)
    let scoreEndpoint = "tcp://127.0.0.1:\(cluster.ports.scorePub)"
    let subscriber = try StreamSubscriber(name: "bench", connect: [scoreEndpoint], topics: ["score."])
    try await Task.sleep(for: .milliseconds(500))
    let latencies = Locked<[Double]>([])
    let collector = Task {
        while let batch = await subscriber.nextBatch() {
            let now = Date().timeIntervalSince1970 * 1000
            for m in batch {
                guard let scores = try? ScoreBatch(serializedBytes: m.payload) else { continue }
                for s in scores.scores {
                    if let sent = Double(s.traceID.split(separator: ":").last ?? "") {
                        latencies.withLock { $0.append(now - sent) }
                    }
                }
            }
        }
    }
    // Offer `rate` readings/s in batches every 100 ms; data time runs one cadence per tick.
    let perTick = rate / 10
    let ticks = duration * 10
    let start = ContinuousClock.now
    var offset = 0
    for tick in 0..<ticks {
        var request = makeBatch(perTick, sensors: sensors, startMs: 1_780_000_000_000, offset: offset)
        offset += perTick
        let sentMs = Date().timeIntervalSince1970 * 1000
        for i in request.readings.indices { request.readings[i].traceID = "bench:\(sentMs)" }
        _ = try await ingest.call(IngestRPC.submitReadings, request)
        try await Task.sleep(until: start + .milliseconds(100 * (tick + 1)))
    }
    try await Task.sleep(for: .seconds(5))
    await subscriber.close()
    _ = await collector.value
    let values = latencies.value.sorted()
    guard !values.isEmpty else { print("latency: no scores received"); return }
    func pct(_ p: Double) -> Double { values[min(values.count - 1, Int(Double(values.count) * p))] }
    print(String(format: "latency: offered %d readings/s for %d s; %d scores; submission→score published p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                 rate, duration, values.count, pct(0.5), pct(0.99), values.last!))
    await ingest.close()
}

if only == nil || only == "transport" { try await benchTransport() }
if only == nil || only == "store" || only == "latency" {
    try await withCluster { cluster in
        if only == nil || only == "store" { try await benchStore(cluster) }
        if only == nil || only == "latency" { try await benchLatency(cluster, rate: 5000, seconds: 20) }
    }
}
