import Forecasting
import WaterlineProto

/// Per-sensor seasonal profiles and the last scored time, owned by one actor.
actor ScoringState {
    /// Names the model in every score.
    static let modelVersion = "seasonal-profile-1"
    /// Clean flags that make a point unfit to score or learn from: gap, out of range, stuck.
    static let unfitFlags: UInt32 = 4 | 8 | 32

    private var profiles: [String: SeasonalProfile] = [:]
    private var lastScored: [String: Int64] = [:]
    private let threshold: Double

    init(threshold: Double) {
        self.threshold = threshold
    }

    var sensorCount: Int { profiles.count }

    /// Learns from history without scoring (warm-up after a restart).
    func warm(_ points: [CleanPoint]) {
        for p in points where p.hasValue && p.flags & Self.unfitFlags == 0 {
            profiles[p.sensorID, default: SeasonalProfile()].observe(p.value, at: p.tsMs, anomalous: false)
            lastScored[p.sensorID] = max(lastScored[p.sensorID] ?? .min, p.tsMs)
        }
    }

    func markScored(_ sensorID: String, through ts: Int64) {
        lastScored[sensorID] = max(lastScored[sensorID] ?? .min, ts)
    }

    /// Scores points in time order per sensor; points already scored are skipped.
    func score(_ points: [CleanPoint], zones: [String: String]) -> [Score] {
        var out: [Score] = []
        out.reserveCapacity(points.count)
        for p in points.sorted(by: { ($0.sensorID, $0.tsMs) < ($1.sensorID, $1.tsMs) }) {
            if let last = lastScored[p.sensorID], p.tsMs <= last { continue }
            lastScored[p.sensorID] = p.tsMs
            var profile = profiles[p.sensorID] ?? SeasonalProfile()
            let forecast = profile.forecast(at: p.tsMs)
            let usable = p.hasValue && p.flags & Self.unfitFlags == 0
            let surprise = usable ? forecast.score(p.value) : 0
            let anomalous = usable && forecast.warmedUp && abs(surprise) > threshold
            if usable { profile.observe(p.value, at: p.tsMs, anomalous: anomalous) }
            profiles[p.sensorID] = profile
            var s = Score()
            s.sensorID = p.sensorID
            s.tsMs = p.tsMs
            s.value = p.hasValue ? p.value : 0
            s.forecastMean = forecast.mean
            s.lower = forecast.lower
            s.upper = forecast.upper
            s.anomalyScore = surprise
            s.anomalous = anomalous
            s.warmedUp = forecast.warmedUp
            s.modelVersion = Self.modelVersion
            s.zone = zones[p.sensorID] ?? ""
            s.flags = p.flags
            s.traceID = p.traceID
            out.append(s)
        }
        return out
    }
}
