import Forecasting
import Foundation
import Mongo
import ServiceLifecycle
import WaterlineBus
import WaterlineKit
import WaterlineProto

// MARK: Training, the registry and the model in production

extension ModelService {
    /// Runs training when the schedule says or when asked, one run at a time, and
    /// puts a promoted model into production without stopping the scoring.
    func trainingLoop() async {
        try? await orchestrator.markInterrupted(nowMs: nowMs())
        while !Task.isCancelled {
            let timeout = config.trainSchedule.next(after: nowMs()).map { $0 - nowMs() }
            let trigger: String
            switch await trainingRequests.next(timeoutMs: timeout) {
            case .requested(let who): trigger = who
            case .scheduled:
                // One replica runs the schedule: the one holding partition 0's lease.
                guard ownership.owns(0) else {
                    logger.info("model: scheduled training left to the replica holding partition 0")
                    continue
                }
                trigger = "schedule"
            case .stopped: return
            }
            counters.add("training_runs")
            let run = await orchestrator.run(trigger: trigger, sensors: sensors.all, nowMs: nowMs())
            trainingRequests.finishedRun()
            if run.outcome == .promoted { installRequests.yield("training \(run.runID)") }
        }
    }

    /// Installs the production model each time the registry's changes: requests are
    /// answered as soon as the registry is updated, and the model (warmed on a week
    /// of history) follows here.
    func installLoop() async {
        for await reason in installs { await installProduction(reason: reason) }
    }

    /// Follows the registry, so that a model another replica promoted (or rolled back
    /// to) is installed here too, within `WATERLINE_MODEL_REFRESH_S`.
    func followRegistry() async {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(self.config.registryRefreshSeconds))
                guard let version = try? await self.registry.productionVersion(), version != (await self.state.modelVersion)
                else { continue }
                self.installRequests.yield("promoted elsewhere: \(version)")
            }
        }
    }

    /// Loads the production model from the registry, warms it on the last week of
    /// clean history, and swaps it in (between two batches: no point is dropped).
    func installProduction(reason: String) async {
        do {
            guard let (entry, model) = try await registry.production() else { return }
            let weekMs = 7 * 86_400_000 + model.cadenceMs
            let since = nowMs() - weekMs
            var history: [CleanPoint] = []
            for id in model.sensors {
                let latest = try await clean.newest(id)
                let end = latest.map { CleanPoint(document: $0).tsMs } ?? since
                history += try await clean.find(id, from: end - weekMs, to: end).map(CleanPoint.init(document:))
            }
            await state.install(model, version: entry.version, history: history)
            logger.info("model: \(entry.version) in production (\(reason)); \(model.sensors.count) sensors warmed on \(history.count) clean points")
        } catch {
            logger.error("model: loading the production model failed; scoring goes on with the one before", metadata: ["error": "\(error)"])
        }
    }

    func registerTrainingHandlers() {
        rpc.register(ModelRPC.triggerTraining) { request, _ in
            let who = request.requestedBy.isEmpty ? "manual" : "manual:\(request.requestedBy.prefix(64))"
            var reply = TriggerTrainingResponse()
            reply.queued = self.trainingRequests.request(who)
            reply.message = reply.queued
                ? "training queued; follow it with ListTrainingRuns"
                : "a training run is already queued or running; one at a time"
            return reply
        }
        rpc.register(ModelRPC.listTrainingRuns) { request, _ in
            var reply = ListTrainingRunsResponse()
            let limit = Int(request.limit == 0 ? 20 : min(request.limit, 500))
            reply.runs = try await databaseCall { try await self.orchestrator.list(limit: limit) }.map(\.info)
            return reply
        }
        rpc.register(ModelRPC.listModels) { request, _ in
            var reply = ListModelsResponse()
            let limit = Int(request.limit == 0 ? 50 : min(request.limit, 500))
            reply.models = try await databaseCall { try await self.registry.list(limit: limit) }.map(\.registered)
            return reply
        }
        rpc.register(ModelRPC.promoteModel) { request, _ in
            guard !request.version.isEmpty else { throw RPCError.invalidArgument("version is required", field: "version") }
            guard try await databaseCall({ try await self.registry.entry(request.version) }) != nil else {
                throw RPCError.notFound("no model '\(request.version)'")
            }
            let who = request.requestedBy.isEmpty ? "an operator" : request.requestedBy
            let entry = try await databaseCall {
                try await self.registry.promote(request.version, reason: "promoted by \(who)", nowMs: nowMs())
            }
            self.installRequests.yield("promoted by request")
            return entry.registered
        }
        rpc.register(ModelRPC.rollbackModel) { _, _ in
            let entry: ModelRegistry.Entry
            do {
                entry = try await databaseCall { try await self.registry.rollback(nowMs: nowMs()) }
            } catch let error as RegistryError {
                throw RPCError.failedPrecondition(error.description)
            }
            self.installRequests.yield("rollback")
            return entry.registered
        }
    }
}

/// Training requests: at most one waiting and one running, so a burst of triggers
/// makes one run, not a queue of them.
final class TrainingRequests: Sendable {
    enum Wake: Sendable, Equatable {
        case requested(String)
        case scheduled
        case stopped
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Wake, Never>
    }

    private struct State {
        var waiting: String?
        var running = false
        var waiter: Waiter?
        var nextID = 0
        var stopped = false
    }

    private let state = Locked(State())

    /// Queues a run; false when one is already waiting or running.
    func request(_ trigger: String) -> Bool {
        let (accepted, waiter) = state.withLock { s -> (Bool, Waiter?) in
            guard s.waiting == nil && !s.running else { return (false, nil) }
            if let w = s.waiter {
                s.waiter = nil
                s.running = true
                return (true, w)
            }
            s.waiting = trigger
            return (true, nil)
        }
        waiter?.continuation.resume(returning: .requested(trigger))
        return accepted
    }

    /// Waits for a request, for `timeoutMs` to pass (`.scheduled`), or for the task to
    /// be cancelled (`.stopped`). A run counts as running from the moment it is handed
    /// out until ``finishedRun()``.
    func next(timeoutMs: Int64?) async -> Wake {
        if state.withLock({ $0.stopped }) { return .stopped }
        let queued = state.withLock { s -> String? in
            guard let w = s.waiting else { return nil }
            s.waiting = nil
            s.running = true
            return w
        }
        if let queued { return .requested(queued) }
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let stopped = state.withLock { s -> Bool in
                    s.waiter = Waiter(id: id, continuation: continuation)
                    return s.stopped
                }
                if stopped || Task.isCancelled { self.wake(id, with: .stopped) }
                if let timeoutMs {
                    Task {
                        try? await Task.sleep(for: .milliseconds(max(0, timeoutMs)))
                        self.wake(id, with: .scheduled)
                    }
                }
            }
        } onCancel: {
            self.wake(id, with: .stopped)
        }
    }

    func finishedRun() { state.withLock { $0.running = false } }

    /// Ends the waiting for good (the service is stopping).
    func stop() {
        let waiter = state.withLock { s -> Waiter? in
            s.stopped = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.continuation.resume(returning: .stopped)
    }

    /// Resumes waiter `id` if it is still the one waiting.
    private func wake(_ id: Int, with wake: Wake) {
        let waiter = state.withLock { s -> Waiter? in
            guard let w = s.waiter, w.id == id else { return nil }
            s.waiter = nil
            if wake == .scheduled { s.running = true }
            return w
        }
        waiter?.continuation.resume(returning: wake)
    }
}

extension TrainingRun {
    var info: TrainingRunInfo {
        var i = TrainingRunInfo()
        i.runID = runID
        i.trigger = trigger
        i.status = status.rawValue
        i.outcome = outcome.rawValue
        i.startedMs = startedMs
        i.finishedMs = finishedMs ?? 0
        i.windowFromMs = windowFromMs
        i.windowToMs = windowToMs
        i.sensors = UInt32(sensors)
        i.epoch = UInt32(epoch)
        i.maxEpochs = UInt32(maxEpochs)
        i.trainLoss = trainLoss
        i.validationLoss = validationLoss
        i.candidateVersion = candidateVersion
        i.metrics = metrics.proto
        i.comparedWith = comparedWith
        i.comparedScaledCrps = comparedScaledCRPS
        i.reason = reason
        return i
    }
}

extension ModelRegistry.Entry {
    var registered: RegisteredModel {
        var m = RegisteredModel()
        m.version = version
        m.kind = kind
        m.status = status.rawValue
        m.createdMs = createdMs
        m.windowFromMs = windowFromMs
        m.windowToMs = windowToMs
        m.metrics = metrics.proto
        m.comparedWith = comparedWith
        m.comparedScaledCrps = comparedScaledCRPS
        m.reason = reason
        m.promotedMs = promotedMs ?? 0
        m.configJson = (try? String(decoding: JSONEncoder().encode(config), as: UTF8.self)) ?? "{}"
        return m
    }
}

extension HoldoutEvaluation.Scores {
    var proto: ModelMetrics {
        var m = ModelMetrics()
        m.scaledCrps = scaledCRPS
        m.mase = mase
        m.coverage90 = coverage90
        m.points = UInt32(points)
        return m
    }
}
