import Foundation
import HistoryImport
import Mongo
import Simulation
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// Replicas of preprocess and model split the partitions by leases in MongoDB: a replica
/// killed with SIGKILL mid-stream has its partitions taken over within the lease time,
/// and scaling up and down during a replay hands partitions over; either way every
/// reading is stored once and every clean point and score is present once.
@Suite(.serialized, .timeLimit(.minutes(20))) struct ReplicaFaultTests {
    static let leaseTTLMs: Int64 = 4000
    static let environment = ["WATERLINE_LEASE_TTL_MS": "\(leaseTTLMs)"]

    @Test func killingAPreprocessAndAModelReplicaMidStreamLosesNothing() async throws {
        let t = try await TestCluster.start("replicas-kill", environment: Self.environment, replicas: [.preprocess: 3, .model: 2])
        defer { Task { await t.stop() } }
        let spread = try await t.eventually(timeout: .seconds(30)) {
            let (preprocess, model) = (try await t.leaseOwners("preprocess"), try await t.leaseOwners("model"))
            return preprocess.count == 3 && model.count == 2
        }
        #expect(spread, "every replica holds partitions before the replay")

        let scenario = smallScenario(days: 2)
        let ingest = try t.ingestClient(timeout: .seconds(2))
        let replayer = Replayer(client: ingest)
        _ = try await replayer.registerSensors(of: scenario)
        // About 20 s of replay.
        let replay = Task { try await replayer.replay(scenario.readings, batchSize: 100, speed: Double(2 * 86_400_000) / 20_000) }
        try await Task.sleep(for: .seconds(7))
        let before = try await t.leaseOwners("preprocess")
        let victims = ["preprocess": "preprocess-local-2", "model": "model-local-2"]
        #expect((before[victims["preprocess"]!] ?? 0) > 0, "the replica to kill holds partitions: \(before)")
        var victimLeases: [String: [Int64]] = [:]
        for (group, victim) in victims { victimLeases[group] = try await t.partitions(of: victim, in: group) }
        t.cluster.crash(.preprocess, replica: 1)
        t.cluster.crash(.model, replica: 1)
        let killedAt = nowMs()
        let preprocessExited = await t.cluster.waitForExit(.preprocess, replica: 1)
        let modelExited = await t.cluster.waitForExit(.model, replica: 1)
        #expect(preprocessExited && modelExited)

        // Taken over: every partition is held again, by the survivors only.
        let partitions = 64
        let takenOver = try await t.eventually(timeout: .seconds(30)) {
            for group in ["preprocess", "model"] {
                let owners = try await t.leaseOwners(group)
                guard owners[victims[group]!] == nil, owners.values.reduce(0, +) == partitions else { return false }
            }
            return true
        }
        // When the victims' partitions were claimed again (not the moves between survivors
        // that follow, which wait for their consumers).
        var lastClaim: Int64 = 0
        for (group, partitions) in victimLeases { lastClaim = max(lastClaim, try await t.lastClaimMs(group, partitions)) }
        let owners = (try await t.leaseOwners("preprocess"), try await t.leaseOwners("model"))
        #expect(takenOver, "partitions not taken over: \(owners)")
        // The lease time, plus the survivors' tick to notice (a third of it), plus slack
        // for two busy cores whose database is also taking the replay: beside a CPU hog a
        // survivor's tick took seconds (a 12.5 s takeover was seen). Still far below what a
        // takeover waiting for anything but the lease would take (a dead member is
        // forgotten only after 20 lease times).
        let takeoverMs = lastClaim - killedAt
        #expect(takeoverMs <= Self.leaseTTLMs + Self.leaseTTLMs / 3 + 12_000, "takeover took \(takeoverMs) ms")

        let stats = try await replay.value
        #expect(stats.rejected == 0)
        try await expectCompleteSeries(t, scenario)
        await ingest.close()
        await t.stop()
    }

    @Test func scalingPreprocessFromOneToThreeAndBackDuringAReplayLosesNothing() async throws {
        let t = try await TestCluster.start("replicas-scale", environment: Self.environment, replicas: [.preprocess: 3])
        defer { Task { await t.stop() } }
        // Down to one replica before the replay.
        for replica in [1, 2] { t.cluster.signal(.preprocess, SIGTERM, replica: replica) }
        for replica in [1, 2] {
            let exited = await t.cluster.waitForExit(.preprocess, replica: replica)
            #expect(exited)
        }
        let one = try await t.leasesSettle("preprocess") { $0 == ["preprocess-local": 64] }
        #expect(one.settled, "\(one.owners)")

        let scenario = smallScenario(days: 2)
        let ingest = try t.ingestClient(timeout: .seconds(2))
        let replayer = Replayer(client: ingest)
        _ = try await replayer.registerSensors(of: scenario)
        let replay = Task { try await replayer.replay(scenario.readings, batchSize: 100, speed: Double(2 * 86_400_000) / 24_000) }

        // 1 → 3: the partitions are spread over all three.
        try await Task.sleep(for: .seconds(5))
        for replica in [1, 2] { try await t.cluster.startService(.preprocess, replica: replica) }
        let up = try await t.leasesSettle("preprocess") { owners in
            owners.count == 3 && owners.values.allSatisfy { $0 >= 20 } && owners.values.reduce(0, +) == 64
        }
        #expect(up.settled, "after scaling up: \(up.owners)")
        // /metrics shows every replica, what it holds (once each has taken up its new
        // partitions between two batches) and how far behind it is.
        var metrics = try await t.http.get("/metrics")
        var held: [String: Double] = [:]
        let settled = try await t.eventually(timeout: .seconds(30)) {
            metrics = try await t.http.get("/metrics")
            held = Self.samples(metrics.text, "waterline_partitions_held", service: "preprocess")
            return held.count == 3 && held.values.reduce(0, +) == 64
        }
        #expect(metrics.status == 200)
        #expect(settled, "partitions_held: \(held)")
        #expect(Self.samples(metrics.text, "waterline_up", service: "preprocess").values.allSatisfy { $0 == 1 })
        #expect(metrics.text.contains("waterline_partition_lag_seconds{"), "no lag in \(metrics.text.prefix(2000))")
        #expect((Self.samples(metrics.text, "waterline_received_total", service: "ingest").values.first ?? 0) > 0)

        // 3 → 1: the stopped replicas hand their partitions back at once (no expiry wait).
        try await Task.sleep(for: .seconds(4))
        for replica in [1, 2] { t.cluster.signal(.preprocess, SIGTERM, replica: replica) }
        for replica in [1, 2] {
            let exited = await t.cluster.waitForExit(.preprocess, replica: replica)
            #expect(exited)
            #expect(t.cluster.exitStatus(.preprocess, replica: replica) == 0)
        }
        // Freed on the way out, not left to expire.
        let leftBehind = try await t.leaseOwners("preprocess").filter { $0.key != "preprocess-local" }
        #expect(leftBehind.isEmpty, "leases still held by stopped replicas: \(leftBehind)")
        let down = try await t.leasesSettle("preprocess") { $0 == ["preprocess-local": 64] }
        #expect(down.settled, "after scaling down: \(down.owners)")

        let stats = try await replay.value
        #expect(stats.rejected == 0)
        try await expectCompleteSeries(t, scenario)
        await ingest.close()
        await t.stop()
    }
}

extension ReplicaFaultTests {
    /// A metric's values per instance for one service, from Prometheus text.
    static func samples(_ text: String, _ metric: String, service: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix(metric + "{") && line.contains("service=\"\(service)\"") {
            guard let open = line.range(of: "replica=\""), let value = line.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            let instance = line[open.upperBound...].prefix { $0 != "\"" }
            values[String(instance)] = value
        }
        return values
    }
}

/// Every reading stored once; every clean point and score present once; no event twice.
func expectCompleteSeries(_ t: TestCluster, _ scenario: Scenario) async throws {
    #expect(try await t.count(Collections.readings) == uniqueReadings(scenario))
    let slots = expectedSlots(scenario)
    let (clean, scores) = try await t.waitForDerivedSeries(slots: slots, timeout: .seconds(180))
    #expect(clean == slots && scores == slots, "clean \(clean), scores \(scores) of \(slots)")
    // Keys make a second copy of a point impossible; the series must also not hold a
    // point outside the scenario's slots (a mis-keyed duplicate).
    let first = scenario.readings.map(\.tsMs).min()!
    let last = scenario.readings.map(\.tsMs).max()!
    for collection in [Collections.clean, Collections.scores] {
        let points = try await t.series(collection)!.points()
        #expect(points.count { ($0["ts_ms"]?.int64Value).map { $0 < first || $0 > last } ?? true } == 0, "\(collection)")
    }
    // One event per (zone, type, start): a replayed partition must not open it again.
    let events = try await t.mongo.collection(Collections.events).find([:])
    let keys = events.map { "\($0["zone"]?.stringValue ?? "")|\($0["type"]?.stringValue ?? "")|\($0["start_ms"]?.int64Value ?? 0)" }
    #expect(Set(keys).count == keys.count, "events opened twice: \(keys.sorted())")
}

extension TestCluster {
    /// Partitions held (unexpired) per replica of a service.
    func leaseOwners(_ group: String) async throws -> [String: Int] {
        try await PartitionLeases.holders(mongo.collection(Collections.leases), group: group)
    }

    /// Waits until a service's lease owners satisfy `settled`; returns whether they did and
    /// the owners last read (for the failure message). Leases move on the replicas'
    /// renewal ticks, and a replica just started must first come up: the bound is a hang
    /// guard, not a speed target (on a busy machine a new replica has taken more than
    /// 20 s to claim its first partition).
    func leasesSettle(_ group: String, _ settled: ([String: Int]) -> Bool) async throws -> (settled: Bool, owners: [String: Int]) {
        var owners: [String: Int] = [:]
        let held = try await eventually {
            owners = try await leaseOwners(group)
            return settled(owners)
        }
        return (held, owners)
    }

    /// The partitions a replica holds (unexpired) in a service's group.
    func partitions(of owner: String, in group: String) async throws -> [Int64] {
        let leases = try await mongo.collection(Collections.leases).find([
            "group": .string(group), "owner": .string(owner), "expires_ms": ["$gt": .int64(nowMs())],
        ])
        return leases.compactMap { $0["partition"]?.int64Value }
    }

    /// When the last of these partitions of a service was claimed.
    func lastClaimMs(_ group: String, _ partitions: [Int64]) async throws -> Int64 {
        let leases = try await mongo.collection(Collections.leases).find([
            "group": .string(group), "partition": ["$in": .array(partitions.map { .int64($0) })],
        ])
        return leases.compactMap { $0["claimed_ms"]?.int64Value }.max() ?? 0
    }
}
