/// Minimum night flow on a zone inlet, tracked as it streams: at night almost nobody
/// draws water, so the night's lowest inflow is mostly leakage, and a rise that persists
/// over nights is a leak the day-time forecast may have learnt to expect.
///
/// Each night (`nightStartHour` to `nightEndHour`, local time at `utcOffsetHours`) gives
/// one minimum, taken over a rolling median of `smoothingPoints` readings so a single low
/// reading does not set it. When a night ends it is compared with the median of the
/// `baselineNights` nights of the same kind before it (weekend nights — Saturday's and
/// Sunday's — against weekend nights, the others against the others: a weekend's higher
/// night use is not a leak): a rise above `max(spreadFactor × robust spread,
/// minRelativeRise × baseline)` flags the night. A night flagged after `confirmNights − 1`
/// flagged nights in a row is a leak signal.
public struct NightFlowTracker: Sendable, Codable {
    public struct Config: Sendable, Equatable, Codable {
        public var nightStartHour = 2
        public var nightEndHour = 5
        public var utcOffsetHours = 0
        public var baselineNights = 10
        /// Nights of the same kind before a night is judged: weekday and weekend.
        public var minBaselineNights = 5
        public var minWeekendBaselineNights = 2
        public var spreadFactor = 4.0
        public var minRelativeRise = 0.05
        public var confirmNights = 2
        public var smoothingPoints = 3
        public init() {}
    }

    /// One finished night.
    public struct Night: Sendable, Equatable, Codable {
        /// Start of the night's window (epoch ms).
        public var startMs: Int64
        public var minimum: Double
        /// Median of the nights before it (nil while there are too few).
        public var baseline: Double?
        /// `minimum − baseline`.
        public var rise: Double?
        public var flagged: Bool
        /// Flagged, after enough flagged nights in a row.
        public var leak: Bool
        /// A Saturday's or Sunday's night (local time).
        public var weekend = false
        /// Whether later nights are judged against this one: unflagged nights, and
        /// flagged ones once `baselineNights` of them in a row made the level the new normal.
        public var inBaseline = true
    }

    public let config: Config
    public private(set) var nights: [Night] = []
    /// The night being watched: when it started and its smoothed minimum so far.
    private struct CurrentNight: Sendable, Codable {
        var startMs: Int64
        var minimum: Double
    }
    private var current: CurrentNight?
    private var recent: [Double] = []
    private var flaggedInARow = 0

    public init(config: Config = Config()) {
        self.config = config
    }

    /// The latest finished night.
    public var lastNight: Night? { nights.last }

    /// Feeds one reading (readings in time order); returns the night that ended with it.
    public mutating func observe(tsMs: Int64, flow: Double) -> Night? {
        guard flow.isFinite else { return nil }
        recent.append(flow)
        if recent.count > config.smoothingPoints { recent.removeFirst(recent.count - config.smoothingPoints) }
        let smoothed = Self.median(recent)
        var ended: Night?
        if let night = nightStart(of: tsMs) {
            if let c = current, c.startMs != night { ended = finish(c) }
            if current?.startMs == night {
                // The rolling median needs a full window inside the night before it counts.
                if recent.count == config.smoothingPoints { current!.minimum = min(current!.minimum, smoothed) }
            } else {
                current = CurrentNight(startMs: night, minimum: recent.count == config.smoothingPoints ? smoothed : .infinity)
            }
        } else if let c = current {
            ended = finish(c)
        }
        return ended
    }

    /// Start of the night window that contains `tsMs`, or nil outside one.
    func nightStart(of tsMs: Int64) -> Int64? {
        let hourMs: Int64 = 3_600_000
        let local = tsMs + Int64(config.utcOffsetHours) * hourMs
        let dayStart = local - ((local % (24 * hourMs)) + 24 * hourMs) % (24 * hourMs)
        let hour = (local - dayStart) / hourMs
        guard hour >= Int64(config.nightStartHour) && hour < Int64(config.nightEndHour) else { return nil }
        return dayStart + Int64(config.nightStartHour) * hourMs - Int64(config.utcOffsetHours) * hourMs
    }

    /// Whether the night starting at `startMs` falls on a Saturday or Sunday, local time.
    func isWeekend(_ startMs: Int64) -> Bool {
        let local = startMs + Int64(config.utcOffsetHours) * 3_600_000
        let day = (local / 86_400_000 % 7 + 7) % 7  // 1970-01-01 was a Thursday: 0 = Thursday
        return day == 2 || day == 3
    }

    private mutating func finish(_ c: CurrentNight) -> Night? {
        current = nil
        guard c.minimum.isFinite else { return nil }
        let weekend = isWeekend(c.startMs)
        // Only unflagged nights form the baseline, so a leak does not become normal.
        let history = nights.filter { $0.inBaseline && $0.weekend == weekend }.suffix(config.baselineNights).map(\.minimum)
        var night = Night(startMs: c.startMs, minimum: c.minimum, baseline: nil, rise: nil, flagged: false, leak: false, weekend: weekend)
        if history.count >= (weekend ? config.minWeekendBaselineNights : config.minBaselineNights) {
            let median = Self.median(history)
            let spread = 1.4826 * Self.median(history.map { abs($0 - median) })
            night.baseline = median
            night.rise = c.minimum - median
            night.flagged = c.minimum - median > max(config.spreadFactor * spread, config.minRelativeRise * abs(median))
        }
        flaggedInARow = night.flagged ? flaggedInARow + 1 : 0
        night.leak = night.flagged && flaggedInARow >= config.confirmNights
        night.inBaseline = !night.flagged
        nights.append(night)
        if flaggedInARow >= config.baselineNights {
            // Nobody acted on it for `baselineNights` nights: the new level is the normal one.
            for i in nights.indices.suffix(flaggedInARow) { nights[i].inBaseline = true }
            flaggedInARow = 0
        }
        if nights.count > 4 * config.baselineNights { nights.removeFirst(nights.count - 2 * config.baselineNights) }
        return night
    }

    static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
