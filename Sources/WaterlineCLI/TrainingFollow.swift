import Foundation
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Asks the model service for a training run and prints how it goes (epoch, losses)
/// until its outcome: `waterline train` and the demo.
enum TrainingFollow {
    enum Outcome {
        /// Another run was queued or running (the service's message was printed).
        case notQueued
        case finished(TrainingRunInfo)
    }

    /// Asks for a run; false when one was queued or running already (the message says).
    static func trigger(_ client: RPCClient, actor: String, print line: (String) -> Void = { Swift.print($0) }) async throws -> Bool {
        var request = TriggerTrainingRequest()
        request.requestedBy = actor
        let reply = try await client.call(ModelRPC.triggerTraining, request)
        line(reply.message)
        return reply.queued
    }

    static func run(_ client: RPCClient, actor: String, print line: (String) -> Void = { Swift.print($0) }) async throws -> Outcome {
        guard try await trigger(client, actor: actor, print: line) else { return .notQueued }
        let asked = Int64(Date().timeIntervalSince1970 * 1000) - 5_000
        var last = ""
        while true {
            try await Task.sleep(for: .seconds(2))
            let runs = try await client.call(ModelRPC.listTrainingRuns, ListTrainingRunsRequest()).runs
            guard let run = runs.first(where: { $0.startedMs >= asked && $0.trigger.hasSuffix(actor) }) else { continue }
            let text = describe(run)
            if text != last { line(text) }
            last = text
            if run.status != "running" { return .finished(run) }
        }
    }

    static func describe(_ run: TrainingRunInfo) -> String {
        run.status == "running"
            ? "training \(run.runID): epoch \(run.epoch)/\(run.maxEpochs)" + (run.epoch > 0 ? String(format: ", train NLL %.4f, validation NLL %.4f", run.trainLoss, run.validationLoss) : "")
            : "training \(run.runID): \(run.status), \(run.outcome) \(run.candidateVersion): \(run.reason)"
    }
}
