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
        if noWait {
            guard try await TrainingFollow.trigger(client, actor: actor) else { throw ExitCode(2) }
            return
        }
        switch try await TrainingFollow.run(client, actor: actor) {
        case .notQueued: throw ExitCode(2)
        case .finished(let run) where run.status == "failed": throw ExitCode(1)
        case .finished: return
        }
    }
}
