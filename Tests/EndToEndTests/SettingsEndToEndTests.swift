import Foundation
import Mongo
import Testing
import WaterlineKit
import WaterlineTestSupport

/// The tariff an administrator sets through the gateway is checked, kept by insight in
/// `settings`, and still there after insight restarts.
@Suite(.serialized, .timeLimit(.minutes(20))) struct SettingsEndToEndTests {
    @Test func theTariffIsSetCheckedAndKept() async throws {
        let t = try await TestCluster.start("settings", environment: ["WATERLINE_TARIFF_PER_M3": "0.5", "WATERLINE_SETTINGS_REFRESH_S": "1"])
        defer { Task { await t.stop() } }
        #expect(try await t.http.get("/api/v1/settings").json["tariff_per_m3"] as? Double == 0.5)

        let set = try await t.http.post("/api/v1/settings", json: ["tariff_per_m3": 1.85, "currency": "EUR"])
        #expect(set.status == 200 && set.json["updated_by"] as? String == t.operatorName && set.json["currency"] as? String == "EUR", "\(set.text)")
        for (body, field) in [(["tariff_per_m3": -1], "tariff_per_m3"), (["tariff_per_m3": "cheap"], "tariff_per_m3"), (["tariff_per_m3": 2, "currency": "euro"], "currency")] as [([String: Any], String)] {
            let refused = try await t.http.post("/api/v1/settings", json: body)
            #expect(refused.status == 422 && (refused.json["error"] as? [String: Any])?["field"] as? String == field, "\(body): \(refused.text)")
        }

        t.cluster.signal(.insight, SIGTERM)
        #expect(await t.cluster.waitForExit(.insight))
        try await t.cluster.startService(.insight)
        let kept = try await t.http.get("/api/v1/settings")
        #expect(kept.json["tariff_per_m3"] as? Double == 1.85 && kept.json["currency"] as? String == "EUR", "\(kept.text)")

        // What another replica stores later is taken up.
        let later: Document = [
            "_id": "insight", "tariff_per_m3": 2.4, "currency": "EUR", "updated_by": "replica-2",
            "updated_ms": .int64(Int64(Date().timeIntervalSince1970 * 1000) + 1000),
        ]
        _ = try await t.mongo.collection(Collections.settings).bulkWrite([.replaceOne(filter: ["_id": "insight"], replacement: later, upsert: true)])
        #expect(try await t.eventually(timeout: .seconds(15)) {
            try await t.http.get("/api/v1/settings").json["tariff_per_m3"] as? Double == 2.4
        })
    }
}
