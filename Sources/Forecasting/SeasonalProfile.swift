/// The baseline forecaster: a seasonal profile per sensor with a robust spread.
///
/// Time is cut into slots (default 15 minutes). For every slot of the day the model
/// keeps the slot means of the last `daysKept` days, and for every slot of the week
/// those of the last `weeksKept` weeks. The forecast is the median over past weeks
/// when at least two weeks are known, else the median over past days; medians keep a
/// few abnormal days (a leak, a holiday) from dragging the profile. The forecast is
/// interpolated between neighbouring slot centres so a daily ramp does not look like
/// a step. The spread combines the day-to-day variation of the slot (scaled MAD) with
/// the point noise around the profile. The point noise is measured on the change of
/// the residual from one point to the next (a running mean absolute difference, fed
/// only by points that were not anomalous): a slow drift such as a growing leak moves
/// the residual but not its point-to-point change, so it cannot widen the band that
/// is meant to reveal it.
public struct SeasonalProfile: Sendable {
    public struct Config: Sendable, Equatable {
        public var slotMs: Int64 = 15 * 60_000
        public var daysKept = 7
        public var weeksKept = 4
        /// Smallest half-width of the interval, relative to the forecast's magnitude.
        public var minRelativeSpread = 0.01
        /// Smallest half-width in the sensor's unit.
        public var minAbsoluteSpread = 1e-3
        /// Days of history a slot needs before the model forecasts it.
        public var minDays = 2
        /// Where slots start, relative to the epoch's: a sensor that reports once a slot
        /// should have its points at the slots' centres, where the forecast puts a slot's
        /// mean (points at the slots' starts would lag every ramp by half a slot).
        public var phaseMs: Int64 = 0
        public init() {}
    }

    public let config: Config
    private let slotsPerDay: Int
    private var daily: [Ring]
    private var weekly: [Ring]
    /// Slot being accumulated: its absolute index and running sum/count.
    private var currentSlot: Int64?
    private var sum = 0.0
    private var count = 0
    /// Running mean absolute difference of consecutive residuals, divided by √2.
    private var pointMAD: Double?
    private var lastResidual: Double?
    public private(set) var observed = 0

    public init(config: Config = Config()) {
        precondition(86_400_000 % config.slotMs == 0, "slot length must divide a day")
        self.config = config
        slotsPerDay = Int(86_400_000 / config.slotMs)
        daily = Array(repeating: Ring(capacity: config.daysKept), count: slotsPerDay)
        weekly = Array(repeating: Ring(capacity: config.weeksKept), count: slotsPerDay * 7)
    }

    /// The predictive distribution for time `ts`.
    public func forecast(at time: Int64) -> Forecast {
        let ts = time - config.phaseMs
        let position = Double(floorMod(ts, 86_400_000)) / Double(config.slotMs) - 0.5
        let dayStart = ts - floorMod(ts, 86_400_000)
        let left = Int64(position.rounded(.down))
        let w = position - Double(left)
        // Only history at least half a day old: the slots just before `ts` would otherwise
        // feed the very change the forecast is meant to reveal back into it.
        let cutoff = floorDiv(ts, config.slotMs) - Int64(slotsPerDay / 2)
        guard let a = slotLevel(dayStart: dayStart, slot: left, cutoff: cutoff),
            let b = slotLevel(dayStart: dayStart, slot: left + 1, cutoff: cutoff)
        else {
            return Forecast(mean: 0, lower: 0, upper: 0, warmedUp: false)
        }
        let mean = a.level * (1 - w) + b.level * w
        let spread = a.spread * (1 - w) + b.spread * w
        let noise = 1.2533 * (pointMAD ?? spread)  // MAD of a normal → σ
        var half = 1.645 * (spread * spread + noise * noise).squareRoot()
        half = max(half, config.minRelativeSpread * abs(mean), config.minAbsoluteSpread)
        return Forecast(mean: mean, lower: mean - half, upper: mean + half, warmedUp: true)
    }

    /// Learns from an observed value. `anomalous` points update the slot history (the
    /// medians are robust to them) but not the point noise.
    public mutating func observe(_ value: Double, at ts: Int64, anomalous: Bool) {
        let slot = floorDiv(ts - config.phaseMs, config.slotMs)
        if let current = currentSlot, slot != current { closeSlot() }
        if currentSlot == nil || slot != currentSlot { currentSlot = slot; sum = 0; count = 0 }
        sum += value
        count += 1
        observed += 1
        let f = forecast(at: ts)
        guard f.warmedUp else { lastResidual = nil; return }
        let residual = value - f.mean
        if !anomalous, let previous = lastResidual {
            let deviation = abs(residual - previous) / 2.0.squareRoot()
            pointMAD = pointMAD.map { $0 + 0.02 * (deviation - $0) } ?? deviation
        }
        lastResidual = anomalous ? nil : residual  // never difference across an anomalous point
    }

    private mutating func closeSlot() {
        guard let slot = currentSlot, count > 0 else { return }
        let mean = sum / Double(count)
        let daySlot = Int(floorMod(slot, Int64(slotsPerDay)))
        let weekSlot = Int(floorMod(slot + 3 * Int64(slotsPerDay), Int64(slotsPerDay * 7)))  // epoch day 0 was a Thursday
        daily[daySlot].append(mean, slot: slot)
        weekly[weekSlot].append(mean, slot: slot)
        currentSlot = nil
    }

    /// Level and spread of a slot of the day `dayStart` (slot may be -1 or slotsPerDay:
    /// the neighbouring day's edge slot).
    private func slotLevel(dayStart: Int64, slot: Int64, cutoff: Int64) -> (level: Double, spread: Double)? {
        let absolute = floorDiv(dayStart, config.slotMs) + slot
        let daySlot = Int(floorMod(absolute, Int64(slotsPerDay)))
        let weekSlot = Int(floorMod(absolute + 3 * Int64(slotsPerDay), Int64(slotsPerDay * 7)))
        let weekValues = weekly[weekSlot].values(upTo: cutoff)
        let values = weekValues.count >= 2 ? weekValues : daily[daySlot].values(upTo: cutoff)
        guard values.count >= config.minDays else { return nil }
        let level = median(values)
        let mad = values.count >= 2 ? 1.4826 * median(values.map { abs($0 - level) }) : 0
        return (level, mad)
    }
}

/// A fixed-size ring of the most recent slot means, each with its absolute slot index.
struct Ring: Sendable {
    private var entries: [(slot: Int64, value: Double)] = []
    private var next = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var count: Int { entries.count }

    /// The values of slots at or before `cutoff`.
    func values(upTo cutoff: Int64) -> [Double] {
        entries.filter { $0.slot <= cutoff }.map(\.value)
    }

    mutating func append(_ value: Double, slot: Int64) {
        if entries.count < capacity {
            entries.append((slot, value))
        } else {
            entries[next] = (slot, value)
            next = (next + 1) % capacity
        }
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let n = sorted.count
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }
func floorMod(_ a: Int64, _ b: Int64) -> Int64 { a - floorDiv(a, b) * b }
