import Forecasting
import Foundation
import Logging
import Mongo
import WaterlineKit
import WaterlineProto

/// Trains a candidate DeepAR on recent clean history, scores it and the incumbent
/// (production, or the seasonal baseline before the first model) on the same held-out
/// days, and promotes it only when the ``PromotionGate`` says it is better; otherwise
/// archives it with the reason. Each run is recorded in `training_runs` as it goes
/// (progress per epoch). The registry changes only at the very end, so a run that
/// fails or is killed leaves production untouched.
public actor TrainingOrchestrator {
    public struct Settings: Sendable {
        /// Days of history a run learns from (the last `holdoutDays` of them held out).
        public var historyDays = 28
        public var holdoutDays = 2
        public var config = DeepARConfig()
        public var gate = PromotionGate()
        /// Threads a run trains on (nil: one per core). The model is the same either way.
        public var threads: Int?
        public init() {}
    }

    private let settings: Settings
    private let clean: SeriesStore
    private let events: MongoCollection
    private let runs: MongoCollection
    private let registry: ModelRegistry
    private let logger: Logger

    public init(settings: Settings, clean: SeriesStore, events: MongoCollection, runs: MongoCollection, registry: ModelRegistry, logger: Logger) {
        self.settings = settings
        self.clean = clean
        self.events = events
        self.runs = runs
        self.registry = registry
        self.logger = logger
    }

    /// Marks runs left `running` by a process that stopped as failed.
    public func markInterrupted(nowMs: Int64) async throws {
        for d in try await runs.find(["status": .string(TrainingRun.Status.running.rawValue)]) {
            var run = TrainingRun(document: d)
            run.status = .failed
            run.outcome = .failed
            run.finishedMs = nowMs
            run.reason = "interrupted: the model service stopped during the run; production untouched"
            try await save(run)
        }
    }

    /// The most recent runs, newest first.
    public func list(limit: Int = 20) async throws -> [TrainingRun] {
        try await runs.find([:], sort: ["started_ms": -1], limit: limit).map(TrainingRun.init(document:))
    }

    /// Runs one training to its end; returns its record.
    public func run(trigger: String, sensors: [Sensor], nowMs: Int64) async -> TrainingRun {
        var run = TrainingRun(runID: "run-\(Self.stamp(nowMs))", trigger: trigger, startedMs: nowMs)
        run.maxEpochs = settings.config.maxEpochs
        do {
            try await save(run)
            try await execute(&run, sensors: sensors, nowMs: nowMs)
        } catch {
            run.status = .failed
            run.outcome = .failed
            run.reason = "failed: \(error); production untouched"
            logger.error("training \(run.runID) failed", metadata: ["error": "\(error)"])
        }
        run.finishedMs = max(nowMs, Int64(Date().timeIntervalSince1970 * 1000))
        try? await save(run)
        return run
    }

    private func execute(_ run: inout TrainingRun, sensors: [Sensor], nowMs: Int64) async throws {
        // The window ends at the newest clean point (a replay of old data trains on
        // that data), never after now.
        var newest: Int64?
        for sensor in sensors {
            if let d = try await clean.newest(sensor.sensorID) {
                newest = max(newest ?? .min, CleanPoint(document: d).tsMs)
            }
        }
        guard let newest else { throw TrainingError("no clean data yet") }
        let to = min(nowMs, newest)
        let from = to - Int64(settings.historyDays) * 86_400_000
        let history = try await TrainingHistory.load(sensors: sensors, from: from, to: to, clean: clean, events: events)
        run.windowFromMs = history.startMs
        run.windowToMs = to
        run.sensors = history.sensorIDs.count
        var config = settings.config
        config.stepsPerDay = Int(86_400_000 / history.cadenceMs)
        config.stepsPerWeek = 7 * config.stepsPerDay
        let split = history.steps - settings.holdoutDays * config.stepsPerDay
        let usable = history.values.map { $0[..<max(0, split)].count { $0 != nil } }.reduce(0, +)
        guard split > config.windowSteps, usable > 4 * config.windowSteps else {
            throw TrainingError("too little clean history: \(usable) usable points before the held-out \(settings.holdoutDays) days")
        }
        let training = history.sensorIDs.indices.map { s in
            DeepARSeries(sensorID: history.sensorIDs[s], startMs: history.startMs, cadenceMs: history.cadenceMs, values: Array(history.values[s][..<split]))
        }
        logger.info("training \(run.runID): \(training.count) sensors, \(split) steps each, \(history.blankedPoints) points of kept events left out")
        try await save(run)
        // Training is minutes of CPU: it runs on its own thread (not the cooperative
        // pool, which scoring needs), and each epoch's losses are saved as progress.
        let (epochs, reportEpoch) = AsyncStream<DeepARTrainingReport.Epoch>.makeStream()
        let trainingConfig = config
        let trained = Task {
            let result = await DeepARTrainer.trainInBackground(training, config: trainingConfig, threads: self.settings.threads) { reportEpoch.yield($0) }
            reportEpoch.finish()
            return result
        }
        for await epoch in epochs {
            run.epoch = epoch.epoch
            run.trainLoss = epoch.trainLoss
            run.validationLoss = epoch.validationLoss
            try? await save(run)
        }
        let candidate = await trained.value.model

        let holdout = HoldoutEvaluation(
            sensorIDs: history.sensorIDs, startMs: history.startMs, cadenceMs: history.cadenceMs, values: history.values, split: split)
        let (candidateScores, baselineScores) = holdout.compare(candidate)
        var incumbent = (name: "the seasonal baseline", scores: baselineScores)
        if let production = try await registry.production() {
            incumbent = ("production \(production.entry.version)", holdout.compare(production.model).deepAR)
        }
        let decision = settings.gate.decide(candidate: candidateScores, incumbent: incumbent.scores, incumbentName: incumbent.name)
        let version = "deepar-\(Self.stamp(nowMs))"
        run.candidateVersion = version
        run.metrics = candidateScores
        run.comparedWith = incumbent.name
        run.comparedScaledCRPS = incumbent.scores.scaledCRPS
        run.reason = decision.reason

        let entry = ModelRegistry.Entry(
            version: version, status: .candidate, createdMs: nowMs, windowFromMs: history.startMs, windowToMs: to,
            config: config, metrics: candidateScores, comparedWith: incumbent.name,
            comparedScaledCRPS: incumbent.scores.scaledCRPS, reason: decision.reason)
        try await registry.register(entry, model: candidate)
        if decision.promotes {
            try await registry.promote(version, reason: decision.reason, nowMs: nowMs)
            run.outcome = .promoted
        } else {
            try await registry.archive(version, reason: decision.reason)
            run.outcome = .archived
        }
        run.status = .succeeded
        logger.info("training \(run.runID): \(run.outcome.rawValue) \(version): \(decision.reason)")
    }

    private func save(_ run: TrainingRun) async throws {
        _ = try await runs.bulkWrite([.replaceOne(filter: ["_id": .string(run.runID)], replacement: run.document, upsert: true)])
    }

    /// 20261129T092100Z: sortable, readable, and unique per second.
    static func stamp(_ ms: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }
}

public struct TrainingError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
