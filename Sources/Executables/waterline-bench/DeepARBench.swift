import Forecasting
import Foundation

// MARK: 6. DeepAR training and streaming inference

/// Synthetic 5-minute sensors: a daily and weekly cycle with noise, different levels.
func deepARBenchSeries(sensors: Int, days: Int) -> [DeepARSeries] {
    var rng = SplitMix(seed: 5)
    let start: Int64 = 1_790_000_000_000 - 1_790_000_000_000 % 86_400_000
    return (0..<sensors).map { s in
        let level = 3 + Double(s % 7)
        let values: [Double?] = (0..<(days * 288)).map { i in
            let day = Double(i % 288) / 288, week = Double(i % 2016) / 2016
            let noise = Double.random(in: -1...1, using: &rng) + Double.random(in: -1...1, using: &rng)
            return level * (1 + 0.2 * sin(2 * .pi * day) + 0.05 * sin(2 * .pi * week)) + 0.05 * level * noise
        }
        return DeepARSeries(sensorID: "s\(s)", startMs: start, cadenceMs: 300_000, values: values)
    }
}

/// Training time for 30 sensors × 4 weeks at 5 minutes with the default architecture,
/// with the loss curve as it goes; then streaming inference speed and state size.
func benchDeepAR(sensors: Int = 30, days: Int = 28, maxEpochs: Int? = nil, batchesPerEpoch: Int? = nil) {
    let data = deepARBenchSeries(sensors: sensors, days: days)
    var config = DeepARConfig()
    if let maxEpochs { config.maxEpochs = maxEpochs }
    if let batchesPerEpoch { config.batchesPerEpoch = batchesPerEpoch }
    let started = ContinuousClock.now
    let (model, report) = DeepARTrainer.train(data, config: config) { e in
        print(String(format: "  epoch %2d  train NLL %.4f  validation NLL %.4f  (%.0f s)", e.epoch, e.trainLoss, e.validationLoss,
                     seconds(ContinuousClock.now - started)))
    }
    let trainSeconds = seconds(ContinuousClock.now - started)
    print(String(format: "deepar training: %d sensors x %d days at 5 min, %d epochs (best %d%@) in %.1f s",
                 sensors, days, report.epochs.count, report.bestEpoch, report.stoppedEarly ? ", stopped early" : "", trainSeconds))

    // Streaming: one step per point, all sensors round-robin, on this thread.
    var streams = (0..<sensors).map { DeepARStream(model: model, sensor: $0) }
    let steps = 5000
    let t0 = ContinuousClock.now
    var checksum = 0.0
    for i in 0..<steps {
        for s in 0..<sensors {
            let d = streams[s].step(model: model, tsMs: data[s].startMs + Int64(i) * 300_000, value: data[s].values[i])
            checksum += d.mu
        }
    }
    let inferSeconds = seconds(ContinuousClock.now - t0)
    print(String(format: "deepar streaming inference: %d points in %.2f s: %.0f points/s on one core (checksum %.1f); state %d bytes per sensor (a week of history at 5 min as Float, LSTM state, scratch)",
                 steps * sensors, inferSeconds, Double(steps * sensors) / inferSeconds, checksum, streams[0].stateBytes))
}
