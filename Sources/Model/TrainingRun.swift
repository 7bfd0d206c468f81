import Forecasting
import Mongo

/// One training run's record in `training_runs`: what started it, on which window,
/// how far it got, and how it ended.
public struct TrainingRun: Sendable, Equatable {
    public enum Status: String, Sendable { case running, succeeded, failed }
    public enum Outcome: String, Sendable {
        /// Still running.
        case pending
        /// The candidate passed the gate and is in production.
        case promoted
        /// The candidate was worse (or miscalibrated) and was archived.
        case archived
        /// The run failed (no data, an error, or the service stopped): production untouched.
        case failed
    }

    public var runID: String
    /// "schedule", "manual", ...
    public var trigger: String
    public var status: Status = .running
    public var outcome: Outcome = .pending
    public var startedMs: Int64
    public var finishedMs: Int64?
    public var windowFromMs: Int64 = 0
    public var windowToMs: Int64 = 0
    public var sensors = 0
    public var epoch = 0
    public var maxEpochs = 0
    public var trainLoss: Double = .nan
    public var validationLoss: Double = .nan
    public var candidateVersion = ""
    public var metrics = HoldoutEvaluation.Scores()
    public var comparedWith = ""
    public var comparedScaledCRPS: Double = .nan
    public var reason = ""

    public init(runID: String, trigger: String, startedMs: Int64) {
        self.runID = runID
        self.trigger = trigger
        self.startedMs = startedMs
    }

    public var durationMs: Int64? { finishedMs.map { $0 - startedMs } }

    var document: Document {
        var d: Document = [
            "_id": .string(runID), "trigger": .string(trigger), "status": .string(status.rawValue), "outcome": .string(outcome.rawValue),
            "started_ms": .int64(startedMs), "window_from_ms": .int64(windowFromMs), "window_to_ms": .int64(windowToMs),
            "sensors": .int64(Int64(sensors)), "epoch": .int64(Int64(epoch)), "max_epochs": .int64(Int64(maxEpochs)),
            "train_loss": .double(trainLoss), "validation_loss": .double(validationLoss), "candidate_version": .string(candidateVersion),
            "metrics": .document(metrics.document),
            "compared_with": .string(comparedWith), "compared_scaled_crps": .double(comparedScaledCRPS), "reason": .string(reason),
        ]
        d["finished_ms"] = finishedMs.map { .int64($0) } ?? .null
        d["duration_ms"] = durationMs.map { .int64($0) } ?? .null
        return d
    }

    init(document d: Document) {
        self.init(runID: d["_id"]?.stringValue ?? "", trigger: d["trigger"]?.stringValue ?? "", startedMs: d["started_ms"]?.int64Value ?? 0)
        status = Status(rawValue: d["status"]?.stringValue ?? "") ?? .failed
        outcome = Outcome(rawValue: d["outcome"]?.stringValue ?? "") ?? .failed
        finishedMs = d["finished_ms"]?.int64Value
        windowFromMs = d["window_from_ms"]?.int64Value ?? 0
        windowToMs = d["window_to_ms"]?.int64Value ?? 0
        sensors = Int(d["sensors"]?.int64Value ?? 0)
        epoch = Int(d["epoch"]?.int64Value ?? 0)
        maxEpochs = Int(d["max_epochs"]?.int64Value ?? 0)
        trainLoss = d["train_loss"]?.doubleValue ?? .nan
        validationLoss = d["validation_loss"]?.doubleValue ?? .nan
        candidateVersion = d["candidate_version"]?.stringValue ?? ""
        metrics = HoldoutEvaluation.Scores(document: d["metrics"]?.documentValue ?? [:])
        comparedWith = d["compared_with"]?.stringValue ?? ""
        comparedScaledCRPS = d["compared_scaled_crps"]?.doubleValue ?? .nan
        reason = d["reason"]?.stringValue ?? ""
    }
}
