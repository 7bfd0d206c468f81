import Forecasting
import Foundation
import Testing

/// DeepAR learns a known daily cycle and a known noise level, and its intervals are
/// calibrated on data it has not seen.
@Suite struct DeepARTrainingTests {
    /// Hourly sensors: a daily cycle of known amplitude plus Gaussian noise of known σ.
    private static let truth: [(level: Double, amplitude: Double, sigma: Double)] = [(10, 3, 0.5), (50, 10, 1.5)]
    private static let start: Int64 = 1_790_000_000_000 - 1_790_000_000_000 % 86_400_000
    private static let hour: Int64 = 3_600_000

    private static func series(days: Int, seed: UInt64, cadenceMs: Int64 = hour) -> [DeepARSeries] {
        var rng = SplitMix(seed: seed)
        let perDay = Int(86_400_000 / cadenceMs)
        return truth.enumerated().map { s, t in
            let values: [Double?] = (0..<(days * perDay)).map { i in
                // Box–Muller.
                let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
                let noise = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
                return t.level + t.amplitude * sin(2 * .pi * Double(i % perDay) / Double(perDay)) + t.sigma * noise
            }
            return DeepARSeries(sensorID: "s\(s)", startMs: start, cadenceMs: cadenceMs, values: values)
        }
    }

    private static var config: DeepARConfig {
        var c = DeepARConfig()
        c.layers = 1
        c.hiddenSize = 12
        c.embeddingSize = 2
        c.dropout = 0
        c.likelihood = .gaussian
        c.stepsPerDay = 24
        c.stepsPerWeek = 168
        c.windowSteps = 60
        c.burnInSteps = 12
        c.windowsPerBatch = 8
        c.batchesPerEpoch = 25
        c.maxEpochs = 12
        c.learningRate = 1e-2
        c.seed = 11
        return c
    }

    @Test func learnsTheDailyCycleAndACalibratedInterval() async {
        let history = Self.series(days: 35, seed: 1)
        let (model, report) = await DeepARTrainer.trainInBackground(history, config: Self.config, threads: 1)
        #expect(report.epochs.count >= 2)
        // The kept epoch is the best on validation, and training improved on the first.
        let best = report.epochs[report.bestEpoch - 1].validationLoss
        #expect(report.epochs.allSatisfy { $0.validationLoss >= best })
        #expect(best < report.epochs[0].validationLoss, "validation loss fell")

        // Stream the history, then a week the model never saw.
        let unseen = Self.series(days: 42, seed: 1)  // the same 35 days, then 7 new ones
        var inside = 0, total = 0
        var meanError = [0.0, 0.0]
        for s in history.indices {
            var stream = DeepARStream(model: model, sensor: s)
            for (i, value) in unseen[s].values.enumerated() {
                let ts = Self.start + Int64(i) * Self.hour
                let d = stream.step(model: model, tsMs: ts, value: value)
                guard i >= 35 * 24, let y = value else { continue }
                let t = Self.truth[s]
                let cycle = t.level + t.amplitude * sin(2 * .pi * Double(i % 24) / 24)
                meanError[s] += abs(d.mu - cycle) / Double(7 * 24)
                if y >= d.quantile(0.05) && y <= d.quantile(0.95) { inside += 1 }
                total += 1
            }
        }
        // The mean follows the cycle to within a fraction of the noise...
        for s in history.indices {
            #expect(meanError[s] < 0.4 * Self.truth[s].sigma, "sensor \(s): mean off the cycle by \(meanError[s])")
        }
        // ...and the 90% interval holds about 90% of unseen values.
        let coverage = Double(inside) / Double(total)
        #expect(coverage >= 0.85 && coverage <= 0.95, "coverage \(coverage)")
    }

    @Test func theHoldoutScoresBothForecastersOnTheSamePoints() async {
        // 15-minute data: the baseline's profile has a slot per quarter hour.
        let quarter: Int64 = 900_000
        var config = Self.config
        config.maxEpochs = 4
        config.stepsPerDay = 96
        config.stepsPerWeek = 672
        let history = Self.series(days: 14, seed: 3, cadenceMs: quarter)
        let model = await DeepARTrainer.trainInBackground(history, config: config, threads: 1).model
        let full = Self.series(days: 16, seed: 3, cadenceMs: quarter)
        let holdout = HoldoutEvaluation(
            sensorIDs: full.map(\.sensorID), startMs: Self.start, cadenceMs: quarter, values: full.map(\.values), split: 14 * 96)
        let (deep, base) = holdout.compare(model)
        #expect(deep.points == 2 * 2 * 96 && base.points == deep.points)
        #expect(Set(deep.sensors.keys) == ["s0", "s1"])
        #expect(deep.scaledCRPS.isFinite && base.scaledCRPS.isFinite)
        // Both see a clean cycle: neither is far off the other.
        #expect(deep.scaledCRPS < 2 * base.scaledCRPS && base.scaledCRPS < 2 * deep.scaledCRPS)
    }

    @Test(arguments: [0.3, 3.0])
    func theStreamsIntervalsAdaptToNinetyPercentWhateverTheCalibration(_ miscalibration: Double) async {
        var config = Self.config
        config.maxEpochs = 4
        var model = await DeepARTrainer.trainInBackground(Self.series(days: 21, seed: 5), config: config, threads: 1).model
        model.scaleCalibration *= miscalibration
        let data = Self.series(days: 63, seed: 6)  // six weeks the model never saw after the first three
        var inside = 0, total = 0
        for s in data.indices {
            var stream = DeepARStream(model: model, sensor: s)
            for (i, value) in data[s].values.enumerated() {
                let d = stream.step(model: model, tsMs: Self.start + Int64(i) * Self.hour, value: value)
                guard i >= 35 * 24, let y = value else { continue }  // after the adaptation settles
                if y >= d.quantile(0.05) && y <= d.quantile(0.95) { inside += 1 }
                total += 1
            }
        }
        let coverage = Double(inside) / Double(total)
        #expect(coverage >= 0.86 && coverage <= 0.94, "coverage \(coverage) with the scale × \(miscalibration)")
    }

    @Test func sampledPathsForecastADayAhead() async {
        let (model, _) = await DeepARTrainer.trainInBackground(Self.series(days: 35, seed: 1), config: Self.config, threads: 1)
        let history = Self.series(days: 35, seed: 1)
        for s in history.indices {
            var stream = DeepARStream(model: model, sensor: s)
            for (i, value) in history[s].values.enumerated() {
                _ = stream.step(model: model, tsMs: Self.start + Int64(i) * Self.hour, value: value)
            }
            let paths = stream.forecast(model: model, steps: 24, paths: 300, seed: 9)
            #expect(paths.count == 24 && paths.allSatisfy { $0.count == 3 && $0[0] <= $0[1] && $0[1] <= $0[2] })
            let t = Self.truth[s]
            var error = 0.0, covered = 0
            for (k, q) in paths.enumerated() {
                let i = 35 * 24 + k
                let cycle = t.level + t.amplitude * sin(2 * .pi * Double(i % 24) / 24)
                error += abs(q[1] - cycle) / 24
                if cycle >= q[0] && cycle <= q[2] { covered += 1 }
            }
            // The median path follows the cycle a day ahead; the band holds it.
            #expect(error < t.sigma, "sensor \(s): median path off the cycle by \(error)")
            #expect(covered >= 20, "sensor \(s): the cycle inside the 90% band at \(covered) of 24 steps")
        }
    }

    /// The same seed gives the same model, whether one thread trains it or two.
    @Test func aSeedGivesTheSameModel() async {
        var config = Self.config
        config.maxEpochs = 2
        config.batchesPerEpoch = 3
        config.dropout = 0.1
        let data = Self.series(days: 20, seed: 2)
        let a = await DeepARTrainer.trainInBackground(data, config: config, threads: 1).model
        let b = await DeepARTrainer.trainInBackground(data, config: config, threads: 2).model
        #expect(a == b)
        config.seed += 1
        let c = await DeepARTrainer.trainInBackground(data, config: config, threads: 1).model
        #expect(c != a)
    }
}
