/// Scores one sensor's clean points against its seasonal profile and learns from them.
///
/// A point is anomalous when the model is warmed up for its time and the value lies
/// further from the forecast than `threshold` half-widths of the 90% interval. Points
/// unfit as model input (gaps, stuck or out-of-range values) are neither scored nor
/// learned from. Points at or before the last scored time are skipped, so replays
/// after a restart never score a point twice.
///
/// The profile's slots follow the sensor's cadence: when the first two points are further
/// apart than a slot (a sensor reporting every 30 minutes against 15-minute slots would
/// leave every other slot empty, and the profile never warm), the profile starts again
/// with slots of the smallest length that divides a day and holds that spacing, centred
/// on the points.
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
        learn(value, at: ts, anomalous: anomalous)
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

    /// Learns from history that was scored before (warm-up after a restart or a
    /// takeover) as scoring it did: a point judged anomalous feeds the profile but not
    /// the point noise. Warmed over ``memoryDays`` and a week more (for the point noise
    /// and the anomaly decisions to settle), a scorer forecasts as one that never
    /// stopped; over less, its profile lacks the older weeks (its forecast falls back
    /// from the median over weeks to the median over days) and the events after a
    /// restart differ from those of a run without it.
    public mutating func warm(_ value: Double, at ts: Int64) {
        _ = score(value, usable: true, at: ts)
    }

    /// Days of history the profile keeps: its weeks of weekly slots.
    public var memoryDays: Int { profile.config.weeksKept * 7 }

    /// The first point learnt, until the second shows the cadence.
    private var firstPoint: (value: Double, ts: Int64)?

    private mutating func learn(_ value: Double, at ts: Int64, anomalous: Bool) {
        if profile.observed == 1, let first = firstPoint, ts - first.ts > profile.config.slotMs {
            var config = profile.config
            config.slotMs = Self.slotMs(forSpacing: ts - first.ts)
            // Centre the slots on the points.
            config.phaseMs = first.ts % config.slotMs - config.slotMs / 2
            if config.slotMs != profile.config.slotMs {
                profile = SeasonalProfile(config: config)
                profile.observe(first.value, at: first.ts, anomalous: false)
            }
        }
        if profile.observed == 0 { firstPoint = (value, ts) }
        profile.observe(value, at: ts, anomalous: anomalous)
    }

    /// The shortest slot that divides a day and is at least `spacing` (at most 6 hours:
    /// a longer first spacing is a gap, not a cadence).
    static func slotMs(forSpacing spacing: Int64) -> Int64 {
        let minute: Int64 = 60_000
        let lengths = [15, 20, 30, 60, 120, 180, 240, 360].map { $0 * minute }
        return lengths.first { $0 >= spacing } ?? SeasonalProfile.Config().slotMs
    }
}
