import Forecasting
import Foundation
import Mongo
import Testing
import WaterlineTestSupport
@testable import Model

/// The registry against a real SecantusDB server.
@Suite(.serialized) struct ModelRegistryTests {
    private func withRegistry(_ body: (ModelRegistry) async throws -> Void) async throws {
        try await TestDatabase.withClient { try await body(ModelRegistry(collection: $0.collection("models"))) }
    }

    private func model(seed: UInt64) -> DeepARModel {
        var config = DeepARConfig()
        config.hiddenSize = 4
        config.layers = 1
        return DeepARModel(
            network: DeepARNetwork(config: config, sensorCount: 2, seed: seed), sensors: ["a", "b"],
            scalings: [SeriesScaling(center: 3, scale: 0.2), SeriesScaling(center: 100, scale: 20)], cadenceMs: 300_000)
    }

    private func entry(_ version: String, created: Int64) -> ModelRegistry.Entry {
        var scores = HoldoutEvaluation.Scores()
        scores.scaledCRPS = 0.006
        scores.mase = 0.5
        scores.coverage90 = 0.9
        scores.points = 1000
        scores.sensors = ["a": .init(points: 500, crps: 0.02, mase: 0.4, coverage90: 0.9), "b": .init(points: 500, crps: 2, mase: 0.6, coverage90: 0.88)]
        var config = DeepARConfig()
        config.hiddenSize = 4
        config.layers = 1
        return ModelRegistry.Entry(
            version: version, status: .candidate, createdMs: created, windowFromMs: 0, windowToMs: created, config: config,
            metrics: scores, comparedWith: "baseline", comparedScaledCRPS: 0.01, reason: "trained")
    }

    @Test func promotionArchivesThePreviousModelAndRollbackBringsItBack() async throws {
        try await withRegistry { registry in
            #expect(try await registry.production() == nil)
            try await registry.register(entry("v1", created: 1), model: model(seed: 1))
            try await registry.register(entry("v2", created: 2), model: model(seed: 2))
            await #expect(throws: RegistryError.self) { try await registry.register(entry("v1", created: 3), model: model(seed: 3)) }

            try await registry.promote("v1", reason: "beats the baseline", nowMs: 10)
            #expect(try await registry.production()?.entry.version == "v1")
            try await registry.promote("v2", reason: "beats v1", nowMs: 20)
            let (current, artifact) = try #require(try await registry.production())
            #expect(current.version == "v2" && current.promotedMs == 20)
            #expect(artifact == model(seed: 2))
            let v1 = try await registry.entry("v1")
            #expect(v1?.status == .archived && v1?.reason == "replaced by v2")

            let restored = try await registry.rollback(nowMs: 30)
            #expect(restored.version == "v1")
            #expect(try await registry.production()?.entry.version == "v1")
            let v2 = try await registry.entry("v2")
            #expect(v2?.status == .archived && v2?.reason == "rolled back to v1")
            #expect(try await registry.list().map(\.version) == ["v2", "v1"])
        }
    }

    @Test func aRefusedCandidateIsArchivedWithTheReasonAndEntriesRoundTrip() async throws {
        try await withRegistry { registry in
            let e = entry("v9", created: 5)
            try await registry.register(e, model: model(seed: 9))
            #expect(try await registry.entry("v9") == e)
            try await registry.archive("v9", reason: "coverage 99% outside 85-95%")
            let archived = try await registry.entry("v9")
            #expect(archived?.status == .archived && archived?.reason == "coverage 99% outside 85-95%")
            await #expect(throws: RegistryError.self) { try await registry.rollback(nowMs: 1) }
        }
    }
}
