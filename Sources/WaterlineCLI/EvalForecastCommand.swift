import ArgumentParser
import Forecasting
import Foundation
import Simulation

/// `waterline eval forecast`: DeepAR against the seasonal baseline on a scenario's
/// held-out last days.
struct EvalForecastCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forecast",
        abstract: "Train DeepAR on a scenario's history and compare its one-step forecasts of the held-out last days with the seasonal baseline's (CRPS, MASE, 90%-interval coverage).")

    @Option(help: "Scenario folder; without it, the demo scenario is simulated in memory.")
    var scenario: String?

    @Option(help: "Days to simulate when no scenario folder is given.")
    var days = 21

    @Option(help: "Cadence in milliseconds when no scenario folder is given.")
    var stepMs: Int64 = 300_000

    @Option(help: "Days at the end held out for the comparison.")
    var holdoutDays = 3

    @Option(help: "Most training epochs (early stopping may end sooner).")
    var epochs = 30

    @Option(help: "Seed of DeepAR's initialisation, windows and dropout.")
    var seed: UInt64 = 42

    @Option(help: "DeepAR's likelihood: studentT or gaussian.")
    var likelihood = "studentT"

    @Option(help: "Dropout between layers during training.")
    var dropout = 0.1

    @Option(help: "Series scaling: standardize or mean (the DeepAR paper's).")
    var scaling = "standardize"

    @Flag(help: "Print the full report as JSON.")
    var json = false

    func run() throws {
        var simulation = SimulationConfig()
        simulation.days = days
        simulation.stepMs = stepMs
        let loaded = try scenario.map { try ScenarioFolder.read(from: URL(fileURLWithPath: $0)) } ?? Simulator.run(simulation)
        let data = CleanScenario(loaded)
        var evaluation = ForecastEvaluation()
        evaluation.config.maxEpochs = epochs
        evaluation.config.seed = seed
        evaluation.config.dropout = dropout
        guard let l = Likelihood(rawValue: likelihood) else { throw ValidationError("--likelihood must be studentT or gaussian") }
        guard let m = SeriesScaling.Mode(rawValue: scaling) else { throw ValidationError("--scaling must be standardize or mean") }
        evaluation.config.likelihood = l
        evaluation.config.scaling = m
        evaluation.holdoutDays = holdoutDays
        FileHandle.standardError.write(Data("eval forecast: \(data.sensorIDs.count) sensors, \(data.steps) steps each; training DeepAR\n".utf8))
        let report = evaluation.run(data) { e in
            FileHandle.standardError.write(Data(String(
                format: "  epoch %2d  train NLL %.4f  validation NLL %.4f\n", e.epoch, e.trainLoss, e.validationLoss).utf8))
        }
        if json {
            try PrettyJSON.print(report)
            return
        }
        print(String(format: "DeepAR trained in %.1f s (%d epochs, best %d, scale calibration %.2f); held out: last %d days",
                     report.trainingSeconds, report.training.epochs.count, report.training.bestEpoch, report.training.scaleCalibration, report.holdoutDays))
        print("sensor                  points   DeepAR CRPS   MASE  cover90   baseline CRPS   MASE  cover90")
        for id in report.deepAR.sensors.keys.sorted() {
            guard let d = report.deepAR.sensors[id], let b = report.baseline.sensors[id] else { continue }
            print(id.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: " %7d   %11.4f  %5.2f  %6.1f%%   %13.4f  %5.2f  %6.1f%%",
                  d.points, d.crps, d.mase, 100 * d.coverage90, b.crps, b.mase, 100 * b.coverage90))
        }
        print(String(format: "scaled CRPS (mean over sensors of CRPS / mean |value|): DeepAR %.4f, baseline %.4f, ratio %.2f (target <= 0.80)",
                     report.deepAR.scaledCRPS, report.baseline.scaledCRPS, report.crpsRatio))
        print(String(format: "MASE: DeepAR %.2f, baseline %.2f;  90%%-interval coverage: DeepAR %.1f%%, baseline %.1f%% (target 85-95%%)",
                     report.deepAR.mase, report.baseline.mase, 100 * report.deepAR.coverage90, 100 * report.baseline.coverage90))
    }
}
