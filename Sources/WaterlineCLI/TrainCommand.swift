import ArgumentParser
import Foundation
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// `waterline train`: asks the model service for a training run and follows it.
struct TrainCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Start a DeepAR training run on the model service and follow it to its outcome (promoted or archived, with the reason).")

    @Option(help: "ModelService RPC endpoint.")
    var model = "tcp://127.0.0.1:7021"

    @Option(help: "Who asks (recorded as the run's trigger).")
    var actor = NSUserName()

    @Flag(help: "Queue the run and return at once.")
    var noWait = false

    func runAsync() async throws {
        let client = try RPCClient(name: "waterline-train", connect: [model], timeout: .seconds(10))
        defer { Task { await client.close() } }
        var request = TriggerTrainingRequest()
        request.requestedBy = actor
        let reply = try await client.call(ModelRPC.triggerTraining, request)
        print(reply.message)
        guard reply.queued else { throw ExitCode(2) }
        guard !noWait else { return }
        let asked = Int64(Date().timeIntervalSince1970 * 1000) - 5_000
        var last = ""
        while true {
            try await Task.sleep(for: .seconds(2))
            let runs = try await client.call(ModelRPC.listTrainingRuns, ListTrainingRunsRequest()).runs
            guard let run = runs.first(where: { $0.startedMs >= asked && $0.trigger.hasSuffix(actor) }) else { continue }
            let line = run.status == "running"
                ? "training \(run.runID): epoch \(run.epoch)/\(run.maxEpochs)" + (run.epoch > 0 ? String(format: ", train NLL %.4f, validation NLL %.4f", run.trainLoss, run.validationLoss) : "")
                : "training \(run.runID): \(run.status), \(run.outcome) \(run.candidateVersion): \(run.reason)"
            if line != last { print(line) }
            last = line
            if run.status != "running" {
                if run.status == "failed" { throw ExitCode(1) }
                return
            }
        }
    }
}
