import Forecasting
import Foundation

/// `waterline eval forecast`'s run: DeepAR trained on a scenario's history before the
/// held-out window, then it and the seasonal baseline scored on that window
/// (``HoldoutEvaluation``).
struct ForecastEvaluation {
    var config = DeepARConfig()
    var holdoutDays = 3

    struct Report: Codable {
        var deepAR: HoldoutEvaluation.Scores
        var baseline: HoldoutEvaluation.Scores
        /// deepAR.scaledCRPS / baseline.scaledCRPS (target ≤ 0.8).
        var crpsRatio: Double
        var trainingSeconds: Double
        var training: DeepARTrainingReport
        var config: DeepARConfig
        var holdoutDays: Int
        var stepsPerSensor: Int
    }

    func run(_ data: CleanScenario, progress: (DeepARTrainingReport.Epoch) -> Void) -> Report {
        var config = config
        config.stepsPerDay = Int(86_400_000 / data.cadenceMs)
        config.stepsPerWeek = 7 * config.stepsPerDay
        let split = data.steps - holdoutDays * config.stepsPerDay
        precondition(split > config.windowSteps, "the history before the held-out window is too short to train on")
        let training = data.sensorIDs.indices.map { s in
            DeepARSeries(sensorID: data.sensorIDs[s], startMs: data.startMs, cadenceMs: data.cadenceMs, values: Array(data.values[s][..<split]))
        }
        let started = ContinuousClock.now
        let (model, report) = DeepARTrainer.train(training, config: config, progress: progress)
        let elapsed = ContinuousClock.now - started
        let holdout = HoldoutEvaluation(
            sensorIDs: data.sensorIDs, startMs: data.startMs, cadenceMs: data.cadenceMs, values: data.values, split: split)
        let (deep, base) = holdout.compare(model)
        return Report(
            deepAR: deep, baseline: base, crpsRatio: deep.scaledCRPS / base.scaledCRPS,
            trainingSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            training: report, config: config, holdoutDays: holdoutDays, stepsPerSensor: data.steps)
    }
}
