import Forecasting
import WaterlineProto

/// Per-sensor forecasters, owned by one actor: the seasonal-profile baseline for
/// every sensor, and, once a DeepAR model is in production, its streaming state for
/// the sensors it knows. A sensor the production model knows is scored by DeepAR (its
/// scores name the model's version); any other by the baseline, which keeps learning
/// throughout as the fallback. A model is swapped between batches, so no point is
/// scored by neither.
actor ScoringState {
    /// Names the baseline in its scores.
    static let baselineVersion = "seasonal-profile-1"
    /// Clean flags that make a point unfit to score or learn from: gap, out of range, stuck.
    static let unfitFlags: UInt32 = 4 | 8 | 32

    private var scorers: [String: AnomalyScorer] = [:]
    private var production: (model: DeepARModel, version: String)?
    private var streams: [String: DeepARStream] = [:]
    /// Points each stream has seen: it forecasts once it has seen a day.
    private var streamPoints: [String: Int] = [:]
    private let threshold: Double

    init(threshold: Double) {
        self.threshold = threshold
    }

    var sensorCount: Int { scorers.count }
    var modelVersion: String { production?.version ?? Self.baselineVersion }
    var deepARSensors: Int { streams.count }

    /// Puts a DeepAR model in production: fresh streams, warmed on `history` (clean
    /// points in time order per sensor), replace the previous model's.
    func install(_ model: DeepARModel, version: String, history: [CleanPoint]) {
        production = (model, version)
        streams = [:]
        streamPoints = [:]
        for (i, id) in model.sensors.enumerated() { streams[id] = DeepARStream(model: model, sensor: i) }
        for p in history.sorted(by: { ($0.sensorID, $0.tsMs) < ($1.sensorID, $1.tsMs) }) { _ = stepStream(p) }
    }

    /// Drops the sensors' state (partitions handed to another replica); taken again,
    /// they are warmed afresh from MongoDB.
    func forget(_ sensorIDs: Set<String>) {
        for id in sensorIDs {
            scorers.removeValue(forKey: id)
            streamPoints.removeValue(forKey: id)
            if let production, let i = production.model.sensors.firstIndex(of: id) {
                streams[id] = DeepARStream(model: production.model, sensor: i)
            }
        }
    }

    /// Learns from history without scoring (warm-up after a restart).
    func warm(_ points: [CleanPoint]) {
        for p in points.sorted(by: { ($0.sensorID, $0.tsMs) < ($1.sensorID, $1.tsMs) }) {
            if p.hasValue && p.flags & Self.unfitFlags == 0 {
                scorers[p.sensorID, default: AnomalyScorer(threshold: threshold)].warm(p.value, at: p.tsMs)
            }
            _ = stepStream(p)
        }
    }

    /// Scores points in time order per sensor. A point scored before is skipped, unless
    /// it is a corrected version (revision > 1), which is scored again (by the
    /// baseline: a recurrent state cannot step back).
    func score(_ points: [CleanPoint], zones: [String: String]) -> [Score] {
        var out: [Score] = []
        out.reserveCapacity(points.count)
        // Per sensor in time order; a point's versions in revision order.
        for p in points.sorted(by: { ($0.sensorID, $0.tsMs, $0.revision) < ($1.sensorID, $1.tsMs, $1.revision) }) {
            var scorer = scorers[p.sensorID] ?? AnomalyScorer(threshold: threshold)
            let usable = p.hasValue && p.flags & Self.unfitFlags == 0
            let value = p.hasValue ? p.value : nil
            var result = scorer.score(value, usable: usable, at: p.tsMs)
            scorers[p.sensorID] = scorer
            var version = Self.baselineVersion
            if result != nil, let forecast = stepStream(p) {
                let surprise = usable ? forecast.score(value ?? 0) : 0
                result = AnomalyScorer.Result(
                    forecast: forecast, surprise: surprise, anomalous: usable && forecast.warmedUp && abs(surprise) > threshold)
                version = production?.version ?? version
            }
            // A point older than the sensor's newest scored one: a corrected point, or a
            // first version that came late (a restart upstream can re-derive a slot after
            // later ones went out). Scored against the profile as it stands, without
            // learning from it; if its score is stored already, storing it is a duplicate
            // and it is not published again.
            if result == nil { result = scorer.rescore(value, usable: usable, at: p.tsMs) }
            guard let result else { continue }
            var s = Score()
            s.sensorID = p.sensorID
            s.tsMs = p.tsMs
            s.value = p.hasValue ? p.value : 0
            s.forecastMean = result.forecast.mean
            s.lower = result.forecast.lower
            s.upper = result.forecast.upper
            s.anomalyScore = result.surprise
            s.anomalous = result.anomalous
            s.warmedUp = result.forecast.warmedUp
            s.modelVersion = version
            s.zone = zones[p.sensorID] ?? ""
            s.flags = p.flags
            s.traceID = p.traceID
            s.revision = max(1, p.revision)
            out.append(s)
        }
        return out
    }

    /// Advances the sensor's DeepAR stream to the point (stepping through slots it
    /// missed as missing values, or starting afresh after more than a week) and
    /// returns the forecast of the point; nil when no production model knows the
    /// sensor or the point is not newer than the stream.
    private func stepStream(_ p: CleanPoint) -> Forecast? {
        guard let production, var stream = streams[p.sensorID] else { return nil }
        let cadence = production.model.cadenceMs
        let config = production.model.config
        if let last = stream.lastTs {
            guard p.tsMs > last else { return nil }
            let missing = (p.tsMs - last) / cadence - 1
            if missing > Int64(config.stepsPerWeek) {
                stream = DeepARStream(model: production.model, sensor: stream.sensor)
                streamPoints[p.sensorID] = 0
            } else if missing > 0 {
                for k in 1...missing { _ = stream.step(model: production.model, tsMs: last + k * cadence, value: nil) }
            }
        }
        let usable = p.hasValue && p.flags & Self.unfitFlags == 0
        let d = stream.step(model: production.model, tsMs: p.tsMs, value: usable ? p.value : nil)
        streams[p.sensorID] = stream
        let seen = (streamPoints[p.sensorID] ?? 0) + 1
        streamPoints[p.sensorID] = seen
        return Forecast(mean: d.quantile(0.5), lower: d.quantile(0.05), upper: d.quantile(0.95), warmedUp: seen > config.stepsPerDay)
    }
}
