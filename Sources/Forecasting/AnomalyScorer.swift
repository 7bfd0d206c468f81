/// Scores one sensor's clean points against its seasonal profile and learns from them.
///
/// A point is anomalous when the model is warmed up for its time and the value lies
/// further from the forecast than `threshold` half-widths of the 90% interval. Points
/// unfit as model input (gaps, stuck or out-of-range values) are neither scored nor
/// learned from. Points at or before the last scored time are skipped, so replays
/// after a restart never score a point twice.
public struct AnomalyScorer: Sendable {
    public struct Result: Sendable, Equatable {
        public var forecast: Forecast
        /// Signed surprise (see ``Forecast/score(_:)``); 0 when not scored.
        public var surprise: Double
        public var anomalous: Bool

        public init(forecast: Forecast, surprise: Double, anomalous: Bool) {
            self.forecast = forecast
            self.surprise = surprise
            self.anomalous = anomalous
        }
    }

    public var threshold: Double
    public private(set) var profile: SeasonalProfile
    public private(set) var lastTs: Int64?

    public init(threshold: Double = 1.5, profile: SeasonalProfile = SeasonalProfile()) {
        self.threshold = threshold
        self.profile = profile
    }

    /// Scores the point at `ts`; nil when that time was scored already.
    public mutating func score(_ value: Double?, usable: Bool, at ts: Int64) -> Result? {
        if let lastTs, ts <= lastTs { return nil }
        lastTs = ts
        let forecast = profile.forecast(at: ts)
        guard usable, let value else { return Result(forecast: forecast, surprise: 0, anomalous: false) }
        let surprise = forecast.score(value)
        let anomalous = forecast.warmedUp && abs(surprise) > threshold
        profile.observe(value, at: ts, anomalous: anomalous)
        return Result(forecast: forecast, surprise: surprise, anomalous: anomalous)
    }

    /// Scores a corrected version of a point scored before, without learning from it
    /// again: the forecast is the profile's as it stands now.
    public func rescore(_ value: Double?, usable: Bool, at ts: Int64) -> Result {
        let forecast = profile.forecast(at: ts)
        guard usable, let value else { return Result(forecast: forecast, surprise: 0, anomalous: false) }
        let surprise = forecast.score(value)
        return Result(forecast: forecast, surprise: surprise, anomalous: forecast.warmedUp && abs(surprise) > threshold)
    }

    /// Learns from history that was scored before (warm-up after a restart).
    public mutating func warm(_ value: Double, at ts: Int64) {
        profile.observe(value, at: ts, anomalous: false)
        lastTs = max(lastTs ?? ts, ts)
    }
}
