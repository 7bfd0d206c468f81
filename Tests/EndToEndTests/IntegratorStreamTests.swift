import Foundation
import HistoryImport
import Mongo
import Simulation
import SwiftProtobuf
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// The insight stream as an integrator sees it, through the C client (`clients/c`,
/// built by `make c-client`): it decodes what the Swift insight service publishes field
/// by field as published, and a subscriber too slow to keep up sees the sequence gap
/// and catches up through the gateway's REST API, ending with every event's latest state.
@Suite(.serialized, .timeLimit(.minutes(20))) struct IntegratorStreamTests {
    static var tail: URL { TestEnvironment.cClientDirectory.appendingPathComponent("waterline-tail") }

    /// Every field of `waterline.v1.Event` (proto names): the conformance run must see
    /// each one set, so none goes untested.
    static let eventFields: Set<String> = [
        "event_id", "type", "status", "zone", "sensor_ids", "start_ms", "last_evidence_ms", "end_ms", "severity",
        "confidence", "evidence", "model_version", "acknowledged_by", "acknowledged_ms", "resolved_by", "resolved_ms",
        "history", "updated_ms", "summary", "loss", "candidates", "location_note", "label", "labelled_by", "labelled_ms",
        "public_reports", "trace_id", "raised_ms", "raised_wall_ms",
    ]

    @Test func theCClientDecodesEveryUpdateFieldByFieldAsPublished() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.tail.path), "build the C client first: make c-client")
        let t = try await TestCluster.start("integrator-conformance", environment: ["WATERLINE_REPORTS_PER_HOUR": "100"])
        defer { Task { await t.stop() } }
        // Both subscribe before anything is published.
        let c = try LineProcess(Self.tail, ["--endpoint", t.cluster.insightPub, "--quiet"])
        let swift = try StreamSubscriber(name: "conformance", connect: [t.cluster.insightPub], topics: ["insight."], tickMs: 200)
        let received = Locked<[(topic: String, update: EventUpdate)]>([])
        let collecting = Task {
            while let batch = await swift.nextBatch() {
                let decoded = batch.compactMap { m in
                    (try? EventUpdate(serializedBytes: m.payload)).flatMap { $0.isHeartbeat ? nil : (m.topic, $0) }
                }
                received.withLock { $0 += decoded }
            }
        }
        try await Task.sleep(for: .seconds(1))

        let scenario = smallScenario()
        // With trace ids, so the events' trace_id is set too.
        let replayer = Replayer(client: try t.ingestClient(timeout: .seconds(5)), traceIDs: true)
        _ = try await replayer.registerSensors(of: scenario)
        _ = try await replayer.replay(scenario.readings, batchSize: 1000)
        let label = try #require(scenario.labels.first { $0.type == "burst" })
        var burst: [String: Any] = [:]
        #expect(try await t.eventually(timeout: .seconds(240)) {
            let reply = try await t.http.get("/api/v1/events?type=burst&zone=\(label.zone ?? "")")
            burst = (reply.json["events"] as? [[String: Any]])?.first ?? [:]
            return burst["loss"] is [String: Any]
        })
        let id = try #require(burst["event_id"] as? String)
        // The operator's and the public's actions fill the remaining fields.
        let near = try #require(scenario.sensors.first { $0.zone == label.zone })
        let report = try await t.anonymous.post(
            "/api/v1/public/reports",
            json: ["name": "Ann", "locality": "Kerkstraat 5", "remark": "Water on the street \"here\" \\ there", "suspected_leak": true,
                   "lat": near.lat + 0.001, "lon": near.lon])
        #expect(report.status == 201, "\(report.text)")
        for (action, body) in [
            ("acknowledge", ["comment": "crew sent — ETA 20 min"]), ("comment", ["comment": "valve 7 closed\nflow falling"]),
            ("confirm-leak", [:]), ("resolve", ["comment": "pipe repaired"]),
        ] as [(String, [String: String])] {
            let reply = try await t.http.post("/api/v1/events/\(id)/\(action)", json: body)
            #expect(reply.status == 200, "\(action): \(reply.text)")
        }
        // A comment is a note: every update carries the whole history.
        let essay = try await t.http.post("/api/v1/events/\(id)/comment", json: ["comment": String(repeating: "x", count: 2001)])
        #expect(essay.status == 422 && (essay.json["error"] as? [String: Any])?["field"] as? String == "comment", "\(essay.text)")
        #expect(try await t.eventually(timeout: .seconds(30)) {
            received.value.contains { $0.update.event.eventID == id && $0.update.change == .resolved }
        })
        let published = received.value
        // Update lines (a gap or catch-up line would be a finding of its own, below).
        func updateLines() -> [String] { c.output.filter { $0.hasPrefix("{\"sequence\"") } }
        #expect(try await t.eventually(timeout: .seconds(30)) { updateLines().count >= published.count })
        collecting.cancel()
        await swift.close()
        let status = await c.stop()
        #expect(status == 0, "waterline-tail exit \(String(describing: status)): \(c.standardError)")

        // Field by field: the C client's JSON, read back by swift-protobuf, equals the
        // message as published (same publisher, topic and sequence).
        #expect(!c.output.contains { $0.hasPrefix("{\"gap\"") }, "the C client reported a gap on a quiet loopback stream")
        var fromC: [String: EventUpdate] = [:]
        for line in updateLines() {
            let update = try EventUpdate(jsonString: line)
            fromC["\(update.publisherID)|insight.\(update.event.zone).\(update.event.type.label)|\(update.sequence)"] = update
        }
        // (C may have printed more: updates that came after the Swift side's snapshot.)
        #expect(fromC.count >= published.count, "C printed \(fromC.count) updates, Swift received \(published.count)")
        var mismatches: [String] = []
        var fieldsSeen: Set<String> = []
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        for (topic, update) in published {
            let key = "\(update.publisherID)|\(topic)|\(update.sequence)"
            if fromC[key] != update { mismatches.append(key) }
            let json = try JSONSerialization.jsonObject(with: Data(try update.event.jsonString(options: options).utf8)) as? [String: Any]
            fieldsSeen.formUnion(json?.keys ?? [:].keys)
        }
        #expect(mismatches.isEmpty, "decoded differently: \(mismatches)")
        #expect(fieldsSeen == Self.eventFields, "fields never set in the run: \(Self.eventFields.subtracting(fieldsSeen))")
        await t.stop()
    }

    @Test func aSlowIntegratorSeesTheGapAndCatchesUpThroughTheGateway() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.tail.path), "build the C client first: make c-client")
        // A small send queue per subscriber, so a stalled one falls behind quickly.
        let t = try await TestCluster.start("integrator-slow", environment: ["WATERLINE_INSIGHT_PUB_HWM": "20"])
        defer { Task { await t.stop() } }
        let scenario = smallScenario()
        let replayer = Replayer(client: try t.ingestClient(timeout: .seconds(5)))
        _ = try await replayer.registerSensors(of: scenario)
        _ = try await replayer.replay(scenario.readings, batchSize: 1000)
        var ids: [String] = []
        #expect(try await t.eventually(timeout: .seconds(240)) {
            let reply = try await t.http.get("/api/v1/events")
            ids = (reply.json["events"] as? [[String: Any]] ?? []).compactMap { $0["event_id"] as? String }
            return ids.count >= 2
        })

        let tokenFile = t.directory.appendingPathComponent("token")
        try Data((t.http.token ?? "").utf8).write(to: tokenFile)
        let c = try LineProcess(
            Self.tail, ["--endpoint", t.cluster.insightPub, "--hwm", "5", "--rcvbuf", "4096", "--gateway", t.cluster.gatewayURL, "--token-file", tokenFile.path])
        try await Task.sleep(for: .seconds(1))
        // The integrator stalls while operators keep working: far more updates than the
        // socket buffers and queues hold.
        c.signal(SIGSTOP)
        // (Each update carries the event's whole history, so they grow with every comment.)
        let note = String(repeating: "pressure logged at the hydrant; ", count: 60)
        for round in 0..<120 {
            for id in ids.prefix(4) {
                let reply = try await t.http.post("/api/v1/events/\(id)/comment", json: ["comment": "round \(round): \(note)"])
                #expect(reply.status == 200, "\(reply.text)")
            }
        }
        c.signal(SIGCONT)

        // It says so, and catches up: every event's latest state reaches it, from the
        // stream or from the REST API.
        let latest = try await t.mongo.collection(Collections.events).find(["_id": ["$in": .array(ids.prefix(4).map { .string($0) })]])
        let wanted = Dictionary(uniqueKeysWithValues: latest.map { ($0["_id"]?.stringValue ?? "", $0["updated_ms"]?.int64Value ?? 0) })
        var seen: [String: Int64] = [:]
        let caughtUp = try await t.eventually(timeout: .seconds(60)) {
            seen = Self.latestSeen(c.output)
            return wanted.allSatisfy { seen[$0.key] ?? 0 >= $0.value }
        }
        let output = c.output
        let status = await c.stop()
        #expect(status == 0, "waterline-tail exit \(String(describing: status)): \(c.standardError)")
        let gaps = output.filter { $0.hasPrefix("{\"gap\"") }
        #expect(!gaps.isEmpty, "no gap reported; \(output.count) lines")
        #expect(output.contains { $0.hasPrefix("{\"catch_up\"") }, "no catch-up lines")
        #expect(caughtUp, "latest states \(wanted), seen \(seen)")
    }

    /// The newest `updated_ms` printed per event, from stream updates and catch-up lines.
    static func latestSeen(_ lines: [String]) -> [String: Int64] {
        var seen: [String: Int64] = [:]
        for line in lines {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            let event = (object["catch_up"] as? [String: Any]) ?? (object["event"] as? [String: Any])
            guard let event, let id = event["event_id"] as? String else { continue }
            // Stream lines carry int64 as strings (proto JSON); REST lines as numbers.
            let updated = (event["updated_ms"] as? NSNumber)?.int64Value ?? Int64(event["updated_ms"] as? String ?? "") ?? 0
            seen[id] = max(seen[id] ?? 0, updated)
        }
        return seen
    }
}
