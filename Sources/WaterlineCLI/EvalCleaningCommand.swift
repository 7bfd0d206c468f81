import ArgumentParser
import CleaningEvaluation
import Foundation

/// `waterline eval cleaning`: injects known faults into real series (SKAB), cleans them
/// with the real cleaner and two baselines, and prints how each did per fault kind.
struct EvalCleaningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cleaning",
        abstract: "Inject known faults into real series (SKAB CSV files), clean them, and score the flags and errors against two baselines.")

    @Option(help: "Folder of SKAB-style CSV files (';'-separated, one row a second), searched recursively.")
    var data: String

    @Option(help: "Seed of the fault injection: the same seed injects the same faults.")
    var seed: UInt64 = 42

    @Flag(help: "Print the full report (per series and aggregated) as JSON.")
    var json = false

    @Option(help: "Comma-separated columns to evaluate; each file × column is one series.")
    var columns = "Pressure,Volume Flow RateRMS"

    func run() throws {
        let names = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--columns names no column") }
        let series = try SKABLoader.series(in: data, columns: names)
        let progress = ProgressBar(label: "eval cleaning")
        let report = CleaningEvaluation.run(series: series, seed: seed) { done, total, _ in
            progress.update(done, total)
        }
        if json {
            try PrettyJSON.print(report)
        } else {
            print(CleaningTable.render(report))
        }
    }
}
