import Dispatch
import Foundation

/// Trains DeepAR on sensors' histories: random windows from the first part of each
/// series, back-propagation through time, Adam with gradient clipping, and early
/// stopping on the held-out end of each series (the parameters of the best validation
/// epoch are kept). The windows of a batch run on all cores; each window's dropout has
/// its own seed and gradients are summed in a fixed order, so a seed gives the same
/// model whatever the machine and however many threads train it (`threads`: at most
/// that many, default one per core).
public enum DeepARTrainer {
    public static func train(
        _ series: [DeepARSeries], config: DeepARConfig, threads: Int? = nil,
        progress: (DeepARTrainingReport.Epoch) -> Void = { _ in }
    ) -> (model: DeepARModel, report: DeepARTrainingReport) {
        let threads = max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount)
        precondition(!series.isEmpty, "training needs at least one series")
        let splits = series.map { Int(Double($0.values.count) * (1 - config.validationShare)) }
        let scalings = zip(series, splits).map { SeriesScaling(mode: config.scaling, values: $0.values[..<$1]) }
        var network = DeepARNetwork(config: config, sensorCount: series.count, seed: config.seed)
        var adam = Adam(count: network.parameters.count, learningRate: config.learningRate)
        var rng = SplitMix(seed: config.seed &+ 1)
        let validation = validationWindows(series, splits: splits, scalings: scalings, config: config)
        // Windows can start where a whole window fits in the training part.
        let starts = splits.map { max(0, $0 - config.windowSteps) }
        let trainable = series.indices.filter { starts[$0] > 0 }
        precondition(!trainable.isEmpty, "no series is longer than a training window")

        var report = DeepARTrainingReport()
        var best = (loss: Double.infinity, parameters: network.parameters, epoch: 0)
        for epoch in 1...config.maxEpochs {
            var trainLoss = 0.0
            var trainCount = 0
            for batch in 0..<config.batchesPerEpoch {
                let windows = (0..<config.windowsPerBatch).map { _ -> TrainingWindow in
                    let s = trainable[Int.random(in: 0..<trainable.count, using: &rng)]
                    let start = Int.random(in: 0...starts[s], using: &rng)
                    return DeepARFeatures.window(
                        series[s], sensor: s, scaling: scalings[s], start: start, length: config.windowSteps,
                        burnIn: config.burnInSteps, config: config)
                }
                let seedBase = config.seed &+ UInt64(epoch) &* 1_000_003 &+ UInt64(batch) &* 1009
                var (gradient, loss, count) = run(network, windows, dropoutSeed: seedBase, threads: threads)
                guard count > 0 else { continue }
                for i in gradient.indices { gradient[i] /= Double(count) }
                clip(&gradient, maxNorm: config.gradientClip)
                adam.step(&network.parameters, gradient: gradient)
                trainLoss += loss
                trainCount += count
            }
            let (_, validationLoss, validationCount) = run(network, validation, dropoutSeed: nil, threads: threads)
            let entry = DeepARTrainingReport.Epoch(
                epoch: epoch, trainLoss: trainLoss / Double(max(1, trainCount)),
                validationLoss: validationLoss / Double(max(1, validationCount)))
            report.epochs.append(entry)
            progress(entry)
            if entry.validationLoss < best.loss {
                best = (entry.validationLoss, network.parameters, epoch)
            } else if epoch - best.epoch >= config.patience {
                report.stoppedEarly = true
                break
            }
        }
        network.parameters = best.parameters
        report.bestEpoch = best.epoch
        var model = DeepARModel(network: network, sensors: series.map(\.sensorID), scalings: scalings, cadenceMs: series[0].cadenceMs)
        model.scaleCalibration = calibration(network, validation)
        report.scaleCalibration = model.scaleCalibration
        return (model, report)
    }

    /// The factor k that makes the validation window's central 90% intervals hold 90%
    /// of its values: the 90th percentile of |y − μ| / (q₀.₉₅ − μ). 1 without data.
    static func calibration(_ network: DeepARNetwork, _ validation: [TrainingWindow]) -> Double {
        var ratios: [Double] = []
        for window in validation {
            for (y, d) in network.distributions(window) {
                let half = d.quantile(0.95) - d.mu
                if half > 0 { ratios.append(abs(y - d.mu) / half) }
            }
        }
        guard ratios.count >= 20 else { return 1 }
        ratios.sort()
        return max(0.2, min(5, ratios[Int(0.9 * Double(ratios.count - 1))]))
    }

    /// ``train(_:config:progress:)`` on a thread of its own: training is seconds to
    /// minutes of CPU, which must not hold a thread of Swift's cooperative pool (a
    /// service's or a test runner's other work would stall behind it).
    public static func trainInBackground(
        _ series: [DeepARSeries], config: DeepARConfig, threads: Int? = nil,
        progress: @escaping @Sendable (DeepARTrainingReport.Epoch) -> Void = { _ in }
    ) async -> (model: DeepARModel, report: DeepARTrainingReport) {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: train(series, config: config, threads: threads, progress: progress)) }
            thread.name = "waterline-deepar-training"
            thread.start()
        }
    }

    /// The held-out end of each series, in consecutive windows that start `burnIn`
    /// steps early so the state is warm when counting begins.
    static func validationWindows(_ series: [DeepARSeries], splits: [Int], scalings: [SeriesScaling], config: DeepARConfig) -> [TrainingWindow] {
        var windows: [TrainingWindow] = []
        let stride = config.windowSteps - config.burnInSteps
        for (s, split) in splits.enumerated() {
            var countFrom = split
            while countFrom < series[s].values.count {
                let start = max(0, countFrom - config.burnInSteps)
                let length = min(config.windowSteps, series[s].values.count - start)
                windows.append(DeepARFeatures.window(
                    series[s], sensor: s, scaling: scalings[s], start: start, length: length,
                    burnIn: countFrom - start, countFrom: countFrom, config: config))
                countFrom += stride
            }
        }
        return windows
    }

    /// Runs `body(i)` for i in 0..<count on up to `threads` threads, and waits. Threads of
    /// its own rather than `concurrentPerform`: Dispatch's worker threads are the ones
    /// Swift's cooperative pool runs on, and minutes of training on them would stall
    /// every task of the process.
    static func parallelFor(_ count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let workers = max(1, min(count, threads))
        guard workers > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        let done = DispatchSemaphore(value: 0)
        for w in 0..<workers {
            let thread = Thread {
                var i = w
                while i < count {
                    body(i)
                    i += workers
                }
                done.signal()
            }
            thread.stackSize = 4 << 20
            thread.start()
        }
        for _ in 0..<workers { done.wait() }
    }

    /// Loss and summed gradient of windows, on all cores. Per-window buffers are summed
    /// in window order, so the result does not depend on scheduling.
    static func run(
        _ network: DeepARNetwork, _ windows: [TrainingWindow], dropoutSeed: UInt64?, threads: Int
    ) -> (gradient: [Double], loss: Double, count: Int) {
        let n = network.parameters.count
        let results = Slots<(gradient: [Double], loss: Double, count: Int)>(count: windows.count)
        defer { results.deallocate() }
        parallelFor(windows.count, threads: threads) { i in
            var gradient = [Double](repeating: 0, count: n)
            var dropout: SplitMix? = dropoutSeed.map { SplitMix(seed: $0 &+ UInt64(i) &* 7919) }
            let (loss, count) = gradient.withUnsafeMutableBufferPointer {
                network.lossAndGradient(windows[i], dropout: &dropout, gradient: $0)
            }
            results.put((gradient, loss, count), at: i)
        }
        var total = [Double](repeating: 0, count: n)
        var loss = 0.0
        var count = 0
        for i in 0..<windows.count {
            let r = results.take(at: i)
            for j in 0..<n { total[j] += r.gradient[j] }
            loss += r.loss
            count += r.count
        }
        return (total, loss, count)
    }
}

/// Result slots for parallel iterations. `@unchecked Sendable`: each iteration writes
/// only its own slot, and slots are read after `concurrentPerform` has returned.
private final class Slots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutablePointer<T>

    init(count: Int) { buffer = .allocate(capacity: count) }
    func put(_ value: T, at i: Int) { (buffer + i).initialize(to: value) }
    func take(at i: Int) -> T { (buffer + i).move() }
    func deallocate() { buffer.deallocate() }
}
