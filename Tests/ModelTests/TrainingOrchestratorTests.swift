import Forecasting
import Foundation
import Logging
import Mongo
import Testing
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport
@testable import Model

/// Training runs against a real SecantusDB server: clean history in, a registered
/// candidate out, promoted or archived by the gate, every run recorded.
@Suite(.serialized) struct TrainingOrchestratorTests {
    private static let quarter: Int64 = 900_000
    private static let day: Int64 = 86_400_000
    private static let now: Int64 = 1_790_000_000_000 - 1_790_000_000_000 % 86_400_000

    private func sensors() -> [Sensor] {
        (0..<2).map { i in
            var s = Sensor()
            s.sensorID = "z-p\(i)"
            s.kind = .pressure
            s.unit = "bar"
            s.zone = "z"
            s.cadenceMs = Self.quarter
            return s
        }
    }

    /// 16 days of 15-minute clean points with a daily cycle and noise.
    private func storeHistory(_ clean: SeriesStore) async throws {
        var rng = SplitMix(seed: 4)
        var documents: [Document] = []
        for (i, sensor) in sensors().enumerated() {
            for step in 0..<(16 * 96) {
                var p = CleanPoint()
                p.sensorID = sensor.sensorID
                p.tsMs = Self.now - 16 * Self.day + Int64(step) * Self.quarter
                p.value = 3 + Double(i) + 0.3 * sin(2 * .pi * Double(step % 96) / 96) + 0.02 * Double.random(in: -1...1, using: &rng)
                p.revision = 1
                documents.append(p.document)
            }
        }
        _ = try await clean.write(documents).checked("store history")
    }

    private func orchestrator(_ client: MongoClient) -> TrainingOrchestrator {
        var settings = TrainingOrchestrator.Settings()
        settings.historyDays = 16
        settings.holdoutDays = 2
        settings.config.layers = 1
        settings.config.hiddenSize = 12
        settings.config.embeddingSize = 2
        settings.config.windowSteps = 60
        settings.config.burnInSteps = 12
        settings.config.windowsPerBatch = 8
        settings.config.batchesPerEpoch = 15
        settings.config.maxEpochs = 4
        settings.config.learningRate = 1e-2
        settings.gate.minPoints = 50
        return TrainingOrchestrator(
            settings: settings, clean: SeriesStore(client.collection(Collections.clean), rule: .clean), events: client.collection(Collections.events),
            runs: client.collection("training_runs"), registry: ModelRegistry(collection: client.collection(Collections.models)),
            logger: Logger(label: "test"))
    }

    @Test func aRunTrainsRegistersAndRecordsItsOutcome() async throws {
        try await TestDatabase.withClient { client in
            try await storeHistory(SeriesStore(client.collection(Collections.clean), rule: .clean))
            let orchestrator = orchestrator(client)
            let run = await orchestrator.run(trigger: "manual", sensors: sensors(), nowMs: Self.now)
            #expect(run.status == .succeeded, "\(run.reason)")
            #expect(run.outcome == .promoted || run.outcome == .archived)
            #expect(run.epoch >= 1 && run.trainLoss.isFinite)
            #expect(run.sensors == 2 && run.metrics.points > 0 && !run.reason.isEmpty)
            #expect(run.comparedWith == "the seasonal baseline")
            let registry = ModelRegistry(collection: client.collection(Collections.models))
            let entry = try #require(try await registry.entry(run.candidateVersion))
            #expect(entry.reason == run.reason)
            #expect(entry.status == (run.outcome == .promoted ? .production : .archived))
            // The record in MongoDB is the one returned.
            let stored = try await orchestrator.list()
            #expect(stored.count == 1 && stored[0].runID == run.runID && stored[0].outcome == run.outcome)
            #expect(stored[0].durationMs != nil)
        }
    }

    @Test func aRunWithoutHistoryFailsAndLeavesProductionUntouched() async throws {
        try await TestDatabase.withClient { client in
            let registry = ModelRegistry(collection: client.collection(Collections.models))
            var config = DeepARConfig()
            config.hiddenSize = 4
            config.layers = 1
            let model = DeepARModel(
                network: DeepARNetwork(config: config, sensorCount: 1, seed: 1), sensors: ["z-p0"],
                scalings: [SeriesScaling(center: 3, scale: 0.2)], cadenceMs: Self.quarter)
            var scores = HoldoutEvaluation.Scores()
            scores.scaledCRPS = 0.01
            try await registry.register(
                ModelRegistry.Entry(version: "v1", status: .candidate, createdMs: 1, windowFromMs: 0, windowToMs: 1, config: config,
                                    metrics: scores, comparedWith: "baseline", comparedScaledCRPS: 0.02, reason: "first"),
                model: model)
            try await registry.promote("v1", reason: "first", nowMs: 1)

            let run = await orchestrator(client).run(trigger: "schedule", sensors: sensors(), nowMs: Self.now)
            #expect(run.status == .failed && run.outcome == .failed)
            #expect(run.reason.contains("no clean data yet"))
            // A day of data is not enough for 16 days of history with 2 held out.
            var p = CleanPoint()
            p.sensorID = "z-p0"
            p.tsMs = Self.now - Self.day
            p.value = 3
            _ = try await SeriesStore(client.collection(Collections.clean), rule: .clean).write([p.document]).checked("store")
            let short = await orchestrator(client).run(trigger: "schedule", sensors: sensors(), nowMs: Self.now + 1000)
            #expect(short.status == .failed && short.reason.contains("too little clean history"), "\(short.reason)")
            #expect(try await registry.production()?.entry.version == "v1")
            #expect(try await registry.list().count == 1)
        }
    }

    @Test func keptEventsAreLeftOutOfTheHistoryAndFalsePositivesAreNot() async throws {
        try await TestDatabase.withClient { client in
            try await storeHistory(SeriesStore(client.collection(Collections.clean), rule: .clean))
            let start = Self.now - 5 * Self.day
            let events: [Document] = [
                ["_id": "z-leak-1", "zone": "z", "type": "leak", "status": "acknowledged", "start_ms": .int64(start),
                 "last_evidence_ms": .int64(start + 2 * 3_600_000)],
                ["_id": "z-burst-1", "zone": "z", "type": "burst", "status": "false_positive", "start_ms": .int64(start - Self.day),
                 "last_evidence_ms": .int64(start - Self.day + 3_600_000)],
                ["_id": "y-leak-1", "zone": "y", "type": "leak", "status": "open", "start_ms": .int64(start - 2 * Self.day),
                 "last_evidence_ms": .int64(start - Self.day)],
            ]
            _ = try await client.collection(Collections.events).insertMany(events)
            let history = try await TrainingHistory.load(
                sensors: sensors(), from: Self.now - 16 * Self.day, to: Self.now,
                clean: SeriesStore(client.collection(Collections.clean), rule: .clean), events: client.collection(Collections.events))
            // Two hours and one step of the leak, for each of the zone's two sensors.
            #expect(history.blankedPoints == 2 * 9)
            let i = Int((start - history.startMs) / Self.quarter)
            #expect(history.values[0][i] == nil && history.values[0][i - 1] != nil)
            #expect(history.values[1][i - 96] != nil)  // the false positive's day is kept
        }
    }

    @Test func runsLeftRunningByAStoppedServiceAreMarkedFailed() async throws {
        try await TestDatabase.withClient { client in
            let runs = client.collection("training_runs")
            let stale = TrainingRun(runID: "run-1", trigger: "schedule", startedMs: 5)
            _ = try await runs.insertMany([stale.document])
            let orchestrator = orchestrator(client)
            try await orchestrator.markInterrupted(nowMs: 99)
            let after = try await orchestrator.list()
            #expect(after.first?.status == .failed && after.first?.finishedMs == 99)
            #expect(after.first?.reason.contains("interrupted") == true)
        }
    }
}
