import WaterlineKit
import AccountsCommand
import ArgumentParser

/// `waterline`: the command line of Waterline.
public struct WaterlineCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "waterline",
        abstract: "Real-time anomaly detection for water distribution networks.",
        subcommands: [
            SimulateCommand.self, SensorsCommand.self, ReplayCommand.self, TailCommand.self,
            UpCommand.self, DemoCommand.self, EvalCommand.self, TrainCommand.self, UsersCommand.self, ImportCommand.self,
            BacktestCommand.self,
        ])

    public init() {}
}

/// A subcommand whose work is asynchronous. (swift-argument-parser's own async entry
/// point is not picked reliably from a top-level `main.swift` on Linux, so the
/// executable dispatches to ``runAsync()`` itself; see ``runWaterline()``.)
public protocol AsyncCommand: ParsableCommand {
    func runAsync() async throws
}

/// Parses the command line and runs the chosen command.
public func runWaterline() async {
    LineBufferedOutput.enable()
    do {
        var command = try WaterlineCommand.parseAsRoot()
        if let asyncCommand = command as? any AsyncCommand {
            try await asyncCommand.runAsync()
        } else {
            try command.run()
        }
    } catch {
        WaterlineCommand.exit(withError: error)
    }
}
