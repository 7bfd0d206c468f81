/// Scores a forecaster on a held-out window: every held-out point is forecast one
/// step ahead from everything before it. The same window and the same points serve
/// every forecaster compared (the promotion gate, `waterline eval forecast`).
public struct HoldoutEvaluation: Sendable {
    /// A sensor's regular series (nil: missing or unusable) on a common time axis.
    public var sensorIDs: [String]
    public var startMs: Int64
    public var cadenceMs: Int64
    public var values: [[Double?]]
    /// The first held-out step.
    public var split: Int
    /// Steps per day (the seasonal-naive yardstick of MASE).
    public var stepsPerDay: Int

    public init(sensorIDs: [String], startMs: Int64, cadenceMs: Int64, values: [[Double?]], split: Int) {
        self.sensorIDs = sensorIDs
        self.startMs = startMs
        self.cadenceMs = cadenceMs
        self.values = values
        self.split = split
        stepsPerDay = Int(86_400_000 / cadenceMs)
    }

    /// One forecaster's result.
    public struct Scores: Sendable, Codable, Equatable {
        public var sensors: [String: SensorScores] = [:]
        /// Mean over sensors of CRPS / mean |value|: unit-free, so flows in m³/h do not
        /// outweigh pressures in bar.
        public var scaledCRPS: Double = .nan
        public var mase: Double = .nan
        public var coverage90: Double = .nan
        public var points = 0

        public init() {}
    }

    public struct SensorScores: Sendable, Codable, Equatable {
        public var points: Int
        public var crps: Double
        public var mase: Double
        public var coverage90: Double

        public init(points: Int, crps: Double, mase: Double, coverage90: Double) {
            self.points = points
            self.crps = crps
            self.mase = mase
            self.coverage90 = coverage90
        }
    }

    /// The baseline's profile: slots of 15 minutes, or of the cadence when coarser
    /// (a slot must hold readings for the profile to forecast it).
    var baselineConfig: SeasonalProfile.Config {
        var c = SeasonalProfile.Config()
        if cadenceMs > c.slotMs && 86_400_000 % cadenceMs == 0 { c.slotMs = cadenceMs }
        return c
    }

    /// DeepAR and the seasonal baseline on the held-out points the baseline can
    /// forecast (it needs two days of history for a time of day).
    public func compare(_ model: DeepARModel) -> (deepAR: Scores, baseline: Scores) {
        var deep = Accumulator(), base = Accumulator()
        for s in sensorIDs.indices {
            var stream = model.index(of: sensorIDs[s]).map { DeepARStream(model: model, sensor: $0) }
            var baseline = AnomalyScorer(profile: SeasonalProfile(config: baselineConfig))
            var d = ForecastMetrics(), b = ForecastMetrics()
            var magnitude = 0.0
            for (i, value) in values[s].enumerated() {
                let ts = startMs + Int64(i) * cadenceMs
                let dist = stream?.step(model: model, tsMs: ts, value: value)
                let forecast = baseline.score(value, usable: value != nil, at: ts)?.forecast
                guard i >= split, let y = value, let dist, let forecast, forecast.warmedUp else { continue }
                d.add(y, median: dist.quantile(0.5), lower: dist.quantile(0.05), upper: dist.quantile(0.95), quantile: dist.quantile)
                b.add(y, median: forecast.mean, lower: forecast.lower, upper: forecast.upper, quantile: forecast.quantile)
                magnitude += abs(y)
            }
            guard d.count > 0 else { continue }
            let naive = ForecastMetrics.seasonalNaiveError(values[s][..<split], season: stepsPerDay)
            let mean = max(magnitude / Double(d.count), 1e-9)
            deep.add(sensorIDs[s], d, naive: naive, magnitude: mean)
            base.add(sensorIDs[s], b, naive: naive, magnitude: mean)
        }
        return (deep.scores, base.scores)
    }

    private struct Accumulator {
        var scores = Scores()
        var total = ForecastMetrics()
        var scaled = 0.0
        var mase = 0.0
        var maseCount = 0

        mutating func add(_ id: String, _ m: ForecastMetrics, naive: Double, magnitude: Double) {
            scores.sensors[id] = SensorScores(points: m.count, crps: m.crps, mase: m.mase(naiveError: naive), coverage90: m.coverage90)
            total = total + m
            scaled += m.crps / magnitude
            if naive.isFinite && naive > 0 {
                mase += m.mase(naiveError: naive)
                maseCount += 1
            }
            let n = Double(scores.sensors.count)
            scores.scaledCRPS = scaled / n
            scores.mase = maseCount > 0 ? mase / Double(maseCount) : .nan
            scores.coverage90 = total.coverage90
            scores.points = total.count
        }
    }
}
