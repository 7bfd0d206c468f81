import Forecasting
import Foundation

/// DeepAR against the seasonal-profile baseline on a held-out window: both forecast
/// each held-out point one step ahead, having seen everything before it (the baseline
/// keeps learning, as in the model service; DeepAR is trained on the part before the
/// window only). Points the baseline cannot forecast yet are left out for both.
struct ForecastEvaluation {
    var config = DeepARConfig()
    var holdoutDays = 3

    struct SensorResult: Codable {
        var sensorID: String
        var points: Int
        var deepAR: Scores
        var baseline: Scores
    }

    struct Scores: Codable {
        var crps: Double
        var mase: Double
        var coverage90: Double
    }

    struct Report: Codable {
        var sensors: [SensorResult]
        /// Mean over sensors of CRPS divided by the sensor's mean absolute value: a
        /// unit-free CRPS, so flows in m³/h do not outweigh pressures in bar.
        var deepARScaledCRPS: Double
        var baselineScaledCRPS: Double
        /// deepARScaledCRPS / baselineScaledCRPS (target ≤ 0.8).
        var crpsRatio: Double
        var deepARMASE: Double
        var baselineMASE: Double
        var deepARCoverage90: Double
        var baselineCoverage90: Double
        var trainingSeconds: Double
        var epochs: Int
        var bestEpoch: Int
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
        let trainingSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18

        var results: [SensorResult] = []
        var totals = (deep: ForecastMetrics(), base: ForecastMetrics())
        var scaled = (deep: 0.0, base: 0.0, n: 0)
        var mase = (deep: 0.0, base: 0.0, n: 0)
        for s in data.sensorIDs.indices {
            var stream = DeepARStream(model: model, sensor: s)
            var baseline = AnomalyScorer()
            var deep = ForecastMetrics(), base = ForecastMetrics()
            var magnitude = 0.0
            for (i, value) in data.values[s].enumerated() {
                let ts = data.startMs + Int64(i) * data.cadenceMs
                let d = stream.step(model: model, tsMs: ts, value: value)
                let b = baseline.score(value, usable: value != nil, at: ts)
                guard i >= split, let y = value, let forecast = b?.forecast, forecast.warmedUp else { continue }
                deep.add(y, median: d.quantile(0.5), lower: d.quantile(0.05), upper: d.quantile(0.95), quantile: d.quantile)
                base.add(y, median: forecast.mean, lower: forecast.lower, upper: forecast.upper, quantile: forecast.quantile)
                magnitude += abs(y)
            }
            guard deep.count > 0 else { continue }
            let naive = ForecastMetrics.seasonalNaiveError(data.values[s][..<split], season: config.stepsPerDay)
            results.append(SensorResult(
                sensorID: data.sensorIDs[s], points: deep.count,
                deepAR: Scores(crps: deep.crps, mase: deep.mase(naiveError: naive), coverage90: deep.coverage90),
                baseline: Scores(crps: base.crps, mase: base.mase(naiveError: naive), coverage90: base.coverage90)))
            totals.deep = totals.deep + deep
            totals.base = totals.base + base
            let meanMagnitude = max(magnitude / Double(deep.count), 1e-9)
            scaled.deep += deep.crps / meanMagnitude
            scaled.base += base.crps / meanMagnitude
            scaled.n += 1
            if naive.isFinite && naive > 0 {
                mase.deep += deep.mase(naiveError: naive)
                mase.base += base.mase(naiveError: naive)
                mase.n += 1
            }
        }
        let n = Double(max(1, scaled.n))
        return Report(
            sensors: results, deepARScaledCRPS: scaled.deep / n, baselineScaledCRPS: scaled.base / n,
            crpsRatio: scaled.deep / max(scaled.base, 1e-12),
            deepARMASE: mase.deep / Double(max(1, mase.n)), baselineMASE: mase.base / Double(max(1, mase.n)),
            deepARCoverage90: totals.deep.coverage90, baselineCoverage90: totals.base.coverage90,
            trainingSeconds: trainingSeconds, epochs: report.epochs.count, bestEpoch: report.bestEpoch, config: config,
            holdoutDays: holdoutDays, stepsPerSensor: data.steps)
    }
}
