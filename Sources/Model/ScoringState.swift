import Forecasting
import WaterlineProto

/// Per-sensor anomaly scorers, owned by one actor.
actor ScoringState {
    /// Names the model in every score.
    static let modelVersion = "seasonal-profile-1"
    /// Clean flags that make a point unfit to score or learn from: gap, out of range, stuck.
    static let unfitFlags: UInt32 = 4 | 8 | 32

    private var scorers: [String: AnomalyScorer] = [:]
    private let threshold: Double

    init(threshold: Double) {
        self.threshold = threshold
    }

    var sensorCount: Int { scorers.count }

    /// Learns from history without scoring (warm-up after a restart).
    func warm(_ points: [CleanPoint]) {
        for p in points where p.hasValue && p.flags & Self.unfitFlags == 0 {
            scorers[p.sensorID, default: AnomalyScorer(threshold: threshold)].warm(p.value, at: p.tsMs)
        }
    }

    /// Scores points in time order per sensor. A point scored before is skipped, unless
    /// it is a corrected version (revision > 1), which is scored again.
    func score(_ points: [CleanPoint], zones: [String: String]) -> [Score] {
        var out: [Score] = []
        out.reserveCapacity(points.count)
        for p in points.sorted(by: { ($0.sensorID, $0.tsMs) < ($1.sensorID, $1.tsMs) }) {
            var scorer = scorers[p.sensorID] ?? AnomalyScorer(threshold: threshold)
            let usable = p.hasValue && p.flags & Self.unfitFlags == 0
            let value = p.hasValue ? p.value : nil
            var result = scorer.score(value, usable: usable, at: p.tsMs)
            scorers[p.sensorID] = scorer
            if result == nil, p.revision > 1 { result = scorer.rescore(value, usable: usable, at: p.tsMs) }
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
            s.modelVersion = Self.modelVersion
            s.zone = zones[p.sensorID] ?? ""
            s.flags = p.flags
            s.traceID = p.traceID
            s.revision = max(1, p.revision)
            out.append(s)
        }
        return out
    }
}
