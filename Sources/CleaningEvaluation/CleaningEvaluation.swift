import Cleaning

/// The evaluation behind `waterline eval cleaning`: injects known faults into untouched
/// series, cleans them with the real cleaner and two baselines, and scores all three.
public enum CleaningEvaluation {
    /// Evaluates every series (series `i` gets its own generator from `seed` and `i`, so
    /// the faults of one series do not depend on the others).
    ///
    /// - Parameter progress: called after each series with (done, total, name).
    public static func run(
        series: [EvaluationSeries], config: EvaluationConfig = EvaluationConfig(), seed: UInt64,
        progress: (Int, Int, String) -> Void = { _, _, _ in }
    ) -> CleaningReport {
        var reports: [SeriesReport] = []
        for (index, s) in series.enumerated() {
            if s.values.count >= 2 { reports.append(evaluate(s, index: index, config: config, seed: seed)) }
            progress(index + 1, series.count, s.name)
        }
        return CleaningReport(
            seed: seed, series: reports,
            aggregate: reports.map(\.results).reduce(MethodResults(), +),
            faultCounts: reports.map(\.faultCounts).reduce(into: [:]) { $0.merge($1, uniquingKeysWith: +) },
            faultSlots: reports.map(\.faultSlots).reduce(into: [:]) { $0.merge($1, uniquingKeysWith: +) })
    }

    /// One series: profile, inject, clean three ways, score.
    public static func evaluate(_ s: EvaluationSeries, index: Int, config: EvaluationConfig, seed: UInt64) -> SeriesReport {
        let profile = SeriesProfile(s.values)
        let cleaning = CleaningConfig(
            profile: profile, cadenceMs: config.cadenceMs, allowedLatenessMs: config.allowedLatenessMs,
            aggregation: s.aggregation)
        let injector = FaultInjector(plan: config.plan, cadenceMs: config.cadenceMs, allowedLatenessMs: config.allowedLatenessMs)
        var rng = SplitMix64.forSeries(seed: seed, index: index)
        let injected = injector.inject(s.values, rng: &rng, unitFactor: s.unitFactor, profile: profile)
        let threshold = ThresholdBaseline(k: config.thresholdK, stuckSteps: cleaning.stuckSteps)

        var results = MethodResults()
        results.waterline = CleaningMetrics.score(
            WaterlineCleaning.clean(injected, config: cleaning, batchSize: config.batchSize), injected: injected,
            untouched: s.values)
        results.none = CleaningMetrics.score(NoCleaningBaseline.clean(injected), injected: injected, untouched: s.values)
        results.threshold = CleaningMetrics.score(threshold.clean(injected), injected: injected, untouched: s.values)

        var counts: [String: Int] = [:]
        var slots: [String: Int] = [:]
        for f in injected.faults {
            counts[f.kind.rawValue, default: 0] += 1
            slots[f.kind.rawValue, default: 0] += f.length
        }
        let settings = CleanerSettings(
            cadenceMs: cleaning.cadenceMs, allowedLatenessMs: cleaning.allowedLatenessMs,
            maxFillSteps: cleaning.maxFillSteps, minValue: cleaning.minValue, maxValue: cleaning.maxValue,
            stuckSteps: cleaning.stuckSteps, aggregation: s.aggregation == .median ? "median" : "mean",
            spikeHalfWidth: cleaning.spikeHalfWidth, spikeThreshold: cleaning.spikeThreshold,
            spikeMinScale: cleaning.spikeMinScale, unitFactor: s.unitFactor, thresholdK: config.thresholdK)
        return SeriesReport(
            name: s.name, profile: profile, settings: settings, faultCounts: counts, faultSlots: slots, results: results)
    }
}
