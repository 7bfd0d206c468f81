import Foundation
import Mongo
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

// MARK: 5. Preprocess, the service end to end

/// Readings/s from the raw stream to clean points stored in MongoDB and published,
/// through the preprocess service as a process. The bench publishes the raw stream
/// itself (ingest only registers the sensors), so the figure is preprocess's:
/// decode, clean, bulk-write, publish. SecantusDB stands in for MongoDB here, so the
/// write side is not MongoDB's.
func benchPreprocess(sensors count: Int = 200, readingsPerSensor: Int = 500) async throws {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-bench-\(getpid())-pre")
    let ports = try LocalCluster.Ports.free()
    let benchPort = try freePorts(1)[0]
    let publisher = try StreamPublisher(name: "bench-raw", bind: "tcp://127.0.0.1:\(benchPort)")
    let cluster = LocalCluster(binDirectory: bin, dataDirectory: dir, ports: ports)
    cluster.extraEnvironment = [
        "WATERLINE_RAW_STREAM": "tcp://127.0.0.1:\(ports.rawPub),tcp://127.0.0.1:\(benchPort)",
        "WATERLINE_IDLE_FLUSH_MS": "500",
    ]
    try await cluster.start(only: [.ingest, .preprocess])
    defer { try? FileManager.default.removeItem(at: dir) }
    let sensors = (0..<count).map { "pre-\($0)" }
    let ingest = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(60))
    try await register(sensors, ingest: ingest)
    let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 2)
    try await Task.sleep(for: .seconds(1))  // the subscription reaches the publisher

    let startMs: Int64 = 1_790_000_000_000
    let total = count * readingsPerSensor
    let started = ContinuousClock.now
    var sequence: UInt64 = 0
    // One batch = one minute of every sensor, like a SCADA poll.
    for minute in 0..<readingsPerSensor {
        var batch = RawReadingBatch()
        batch.publisherID = "bench"
        batch.partition = 0
        sequence += 1
        batch.sequence = sequence
        batch.readings = sensors.enumerated().map { i, id in
            var r = RawReading()
            r.sensorID = id
            r.tsMs = startMs + Int64(minute) * 60_000
            r.value = 3.5 + 0.3 * sin(Double(minute) / 60 + Double(i)) + Double((minute * 7 + i) % 13) / 1000
            r.receivedMs = nowMs()
            return r
        }
        _ = try publisher.publish(topic: "raw.0", batch)
    }
    let published = ContinuousClock.now
    let clean = SeriesStore(mongo.collection(Collections.clean), rule: .clean)
    var stored = 0
    while stored < total && ContinuousClock.now - started < .seconds(300) {
        try await Task.sleep(for: .milliseconds(200))
        stored = try await clean.countPoints()
    }
    let elapsed = seconds(ContinuousClock.now - started)
    print(String(format: "preprocess (service): %d readings of %d sensors published in %.2f s; %d clean points stored after %.2f s: %.0f readings/s end to end",
                 total, count, seconds(published - started), stored, elapsed, Double(stored) / elapsed))
    mongo.close()
    await ingest.close()
    await publisher.close()
    await cluster.stop()
}
