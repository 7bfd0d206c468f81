import Foundation
import Mongo
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

/// Insight as several replicas, each judging the zones it holds by lease: a replica
/// SIGKILLed mid-replay has its zones taken over within the lease time, replicas added
/// and stopped during a replay hand their zones over, and operators acting on events
/// meanwhile have every action applied once. Either way the stored events equal those an
/// undisturbed insight judges from the same stored scores.
@Suite(.serialized, .timeLimit(.minutes(20))) struct InsightReplicaTests {
    static let leaseTTLMs: Int64 = 4000
    static let zonePartitions = 16
    static let environment = InsightRestartTests.untrained.merging([
        "WATERLINE_LEASE_TTL_MS": "\(leaseTTLMs)",
        "WATERLINE_INSIGHT_PARTITIONS": "\(zonePartitions)",
        // Checkpoints as often as the data allows, so takeovers find some to restore.
        "WATERLINE_INSIGHT_CHECKPOINT_MIN_INTERVAL_MS": "2000",
        // The undisturbed judge rebuilds from every stored score.
        "WATERLINE_INSIGHT_REBUILD_DAYS": "3650",
    ]) { a, _ in a }

    @Test func killingOneOfThreeInsightReplicasMidReplayChangesNoEvent() async throws {
        let t = try await TestCluster.start("insight-replicas-kill", environment: Self.environment, replicas: [.insight: 3])
        defer { Task { await t.stop() } }
        let spread = try await t.eventually(timeout: .seconds(30)) { try await t.leaseOwners("insight").count == 3 }
        #expect(spread, "every replica holds zones")
        let victim = "insight-local-2"
        var killedAt: Int64 = 0
        var victimZones: [Int64] = []
        var takeoverMs: Int64 = .max
        let killed = try await InsightRestartTests.replay(t, smallScenario(days: 6), batchSize: 37, seconds: 50) {
            victimZones = try await t.partitions(of: victim, in: "insight")
            t.cluster.crash(.insight, replica: 1)
            killedAt = nowMs()
            #expect(await t.cluster.waitForExit(.insight, replica: 1))
            let takenOver = try await t.eventually(timeout: .seconds(30)) {
                let owners = try await t.leaseOwners("insight")
                return owners[victim] == nil && owners.values.reduce(0, +) == Self.zonePartitions
            }
            let owners = try await t.leaseOwners("insight")
            #expect(takenOver, "zones not taken over: \(owners)")
            // Read now: zones that move between the survivors later are claimed again.
            takeoverMs = try await t.lastClaimMs("insight", victimZones) - killedAt
        }
        #expect(!victimZones.isEmpty, "the killed replica held zones")
        // The lease time, plus the survivors' tick to notice (a third of it), plus slack.
        #expect(takeoverMs <= Self.leaseTTLMs + Self.leaseTTLMs / 3 + 3000, "takeover took \(takeoverMs) ms")
        #expect(killed.contains { $0.type == "burst" }, "the scenario's burst is found: \(killed)")

        let undisturbed = try await Self.judgedFromScratch(t, replicas: 3)
        InsightRestartTests.expectSameEvents(killed, undisturbed)
        await t.stop()
    }

    @Test func scalingInsightOneToThreeToOneWhileOperatorsActLosesNoActionAndChangesNoEvent() async throws {
        let t = try await TestCluster.start("insight-replicas-scale", environment: Self.environment, replicas: [.insight: 3])
        defer { Task { await t.stop() } }
        for replica in [1, 2] { t.cluster.signal(.insight, SIGTERM, replica: replica) }
        for replica in [1, 2] { #expect(await t.cluster.waitForExit(.insight, replica: replica)) }
        let one = try await t.leasesSettle("insight") { $0 == ["insight-local": Self.zonePartitions] }
        #expect(one.settled, "one replica holds every zone before the replay: \(one.owners)")

        // An operator acts on every event it sees while the zones move between replicas:
        // acknowledges it once (while open), labels it once (what the crew found), and
        // comments on it again and again; every action carries a unique note. A call
        // that fails (a timeout on busy cores) is left out: only actions answered 200 are
        // checked, and one whose answer was lost may or may not be in (never twice).
        let done = Locked<[String: [(action: String, note: String)]]>([:])
        let attempts = Locked(0)
        let operatorActs = Task {
            var n = 0
            var tried: Set<String> = []  // "id|path": acknowledge and label are tried once
            while !Task.isCancelled {
                let listed = try? await t.http.get("/api/v1/events?limit=50")
                for event in listed?.json["events"] as? [[String: Any]] ?? [] {
                    guard let id = event["event_id"] as? String, let type = event["type"] as? String, !Task.isCancelled else { continue }
                    let label = ["data_gap", "sensor_fault"].contains(type) ? "confirm-sensor-fault" : "confirm-leak"
                    var actions = ["comment"]
                    for once in ["acknowledge", label] where tried.insert("\(id)|\(once)").inserted { actions.append(once) }
                    for path in actions {
                        n += 1
                        let note = "\(path) \(n)"
                        attempts.withLock { $0 += 1 }
                        let reply = try? await t.http.post("/api/v1/events/\(id)/\(path)", json: ["comment": note])
                        if reply?.status == 200 {
                            done.withLock { $0[id, default: []].append((path.replacingOccurrences(of: "-", with: "_"), note)) }
                        }
                    }
                }
                try? await Task.sleep(for: .milliseconds(300))
            }
        }
        let events = try await InsightRestartTests.replay(t, smallScenario(days: 6), batchSize: 37, seconds: 50) {
            // 1 → 3: the zones spread over all three.
            for replica in [1, 2] { try await t.cluster.startService(.insight, replica: replica) }
            let up = try await t.leasesSettle("insight") { owners in
                owners.count == 3 && owners.values.reduce(0, +) == Self.zonePartitions
            }
            #expect(up.settled, "after scaling up: \(up.owners)")
            try await Task.sleep(for: .seconds(6))
            // 3 → 1: the stopped replicas free their leases on the way out.
            for replica in [1, 2] { t.cluster.signal(.insight, SIGTERM, replica: replica) }
            for replica in [1, 2] {
                #expect(await t.cluster.waitForExit(.insight, replica: replica))
                #expect(t.cluster.exitStatus(.insight, replica: replica) == 0)
            }
            let leftBehind = try await t.leaseOwners("insight").filter { $0.key != "insight-local" }
            #expect(leftBehind.isEmpty, "leases still held by stopped replicas: \(leftBehind)")
        }
        operatorActs.cancel()
        _ = await operatorActs.result

        // Every action answered 200 is in its event's history exactly once, and its
        // effect stands: the detector's updates on whichever replica held the zone kept
        // the operator's status and label.
        let acted = done.value
        let kinds = Set(acted.values.joined().map(\.action))
        #expect(kinds.isSuperset(of: ["comment", "acknowledge"]) && kinds.contains { $0.hasPrefix("confirm_") },
                "the operator acknowledged, labelled and commented while zones moved: \(kinds) (\(attempts.value) attempts)")
        // Read from the one replica left (the gateway still lists the stopped ones, and a
        // call it sends to one of them waits out its deadline).
        let insight = try RPCClient(name: "e2e", connect: [t.cluster.insightRPC], timeout: .seconds(30))
        var acknowledged: Set<String> = []
        for (id, actions) in acted {
            var get = GetEventRequest()
            get.eventID = id
            let event = try await insight.call(InsightRPC.getEvent, get)
            let history = event.history.map { ($0.action, $0.comment) }
            for (action, note) in actions {
                let times = history.count { $0 == (action, note) }
                #expect(times == 1, "\(id): \(action) '\(note)' \(times) times in \(history)")
                if action == "acknowledge" {
                    acknowledged.insert(id)
                    #expect(event.status.label == "acknowledged", "\(id) acknowledged, now \(event.status.label)")
                    #expect(history.count { $0.0 == "acknowledge" } == 1, "\(id): acknowledged more than once: \(history)")
                }
                if action.hasPrefix("confirm_") {
                    let label = action == "confirm_leak" ? "leak" : "sensor_fault"
                    #expect(event.label == label, "\(id) labelled \(label), now '\(event.label)'")
                }
            }
        }
        await insight.close()
        // The detector's part of the events is the undisturbed run's; the status an
        // operator set is not the detector's.
        let judged = events.map { e in
            var e = e
            if acknowledged.contains(e.id) { e.status = "open" }
            return e
        }
        let undisturbed = try await Self.judgedFromScratch(t, replicas: 3)
        InsightRestartTests.expectSameEvents(judged, undisturbed)
        await t.stop()
    }

    /// The events one insight replica that never stopped judges from the stored scores:
    /// every replica stopped, events, checkpoints and insight leases removed, one started.
    static func judgedFromScratch(_ t: TestCluster, replicas: Int) async throws -> [InsightRestartTests.Facts] {
        for replica in 0..<replicas where t.cluster.isRunning(.insight, replica: replica) {
            t.cluster.signal(.insight, SIGTERM, replica: replica)
            #expect(await t.cluster.waitForExit(.insight, replica: replica))
        }
        return try await InsightRestartTests.judgedFromScratch(t)
    }
}
