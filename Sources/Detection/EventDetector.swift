/// Turns a stream of scored points into events.
///
/// Sensor health is kept apart from hydraulics: gap and stuck/out-of-range flags from
/// cleaning become `data_gap` and `sensor_fault` events for that sensor (ending when a
/// clean point of it arrives) and never count as hydraulic evidence.
///
/// Hydraulics, per zone, from each sensor's surprise (signed, ±1 at the edge of the 90%
/// interval) and its exponential moving average over `smoothingPoints` points:
/// - burst: the inlet flow has `minPoints` consecutive anomalous points above forecast,
///   the first already `burstRelativeExcess` above it, with no drift before (abrupt
///   and large);
/// - leak: the inlet's smoothed surprise is at least `leakSurprise` with a pressure
///   sensor's at most `pressureSupport`, or at least `strongSurprise` alone — unless the
///   zone's customer meters rose with it (then the water is consumed, not lost); or two
///   pressure sensors drop by `strongSurprise` together;
///   A slow leak too small for the average shows in the inlet's two-sided CUSUM on its
///   standardised residuals (`cusum`), which is a leak when a pressure sensor's CUSUM
///   falls with it; and in the inlet's minimum night flow (`nightFlow`), a leak after
///   `confirmNights` nights in a row above the nights before. Once the zone inflow
///   detector (`zoneInflow`: the inlets' sum = level × weekly shape + leak over a day)
///   has learnt the zone (two weeks), it alone calls the zone's leaks and bursts (an alarm
///   after an abrupt rise of the balance): it is calibrated on the zone's own inflow, the
///   rules above only on the forecast. While it learns, a zone with inlet meters calls no
///   slow leak (`leakRulesWhileLearning`), only bursts;
/// - demand anomaly: the inlet's smoothed surprise at most −`demandSurprise`;
/// - tank anomaly: a level's smoothed surprise beyond ±`demandSurprise` (not a tank in its
///   zone's balance).
///
/// In a zone that passes water on (`transfersWater`: an outlet, a meter in the next zone,
/// a tank) the inlet and pressure rules are off: its balance detector alone calls leaks.
/// An event lives while a condition of its kind holds and ends after `quietMs` of data
/// time without it; it reopens (same id) if the condition returns within `reopenWithinMs`. Time is the data's own, so replays at any speed agree.
public struct EventDetector: Sendable {
    public struct Config: Sendable, Equatable {
        /// Burst test: `minPoints` of the last `window` points anomalous.
        public var window = 10
        public var minPoints = 5
        public var quietMs: Int64 = 3_600_000
        /// A zone event that ended reopens — same id, start and loss so far — when its
        /// condition returns within this much data time of its last evidence.
        public var reopenWithinMs: Int64 = 6 * 3_600_000
        /// A burst's inlet excess at onset, relative to the forecast.
        public var burstRelativeExcess = 0.2
        /// Points in the exponential moving average of the surprise (sustained drift).
        public var smoothingPoints = 30
        /// Smoothed inlet surprise that, with pressure support, is a leak.
        public var leakSurprise = 1.0
        /// Smoothed pressure surprise (negative) that supports a leak.
        public var pressureSupport = -0.5
        /// Smoothed inlet surprise that is a leak without pressure support, and the
        /// smoothed pressure drop of two sensors that is a leak without inlet support.
        public var strongSurprise = 2.0
        /// A sensor whose newest point is this far behind its zone's newest no longer
        /// holds the zone's clock back (it is silent, not merely out of step).
        public var staleSensorMs: Int64 = 6 * 3_600_000
        /// Smoothed inlet drop that is a demand anomaly, and a tank level's drift.
        public var demandSurprise = 3.0
        /// Consecutive gap or fault points before a sensor health event opens.
        public var minHealthPoints = 5
        /// A leak event becomes a burst when the burst test passes with an onset this soon
        /// after the leak's start (later, an abrupt excess is the same leak showing again).
        public var retypeAsBurstWithinMs: Int64 = 3_600_000
        /// A rise of a zone's balance found this close to its alarm's start (or this
        /// recently, before an alarm) makes the alarm a burst.
        public var balanceBurstWithinMs: Int64 = 6 * 3_600_000
        /// Data time from a leak's or burst's start over which each pressure sensor's
        /// residual (for localisation) is averaged.
        public var localisationWindowMs: Int64 = 6 * 3_600_000
        /// Data time from a leak's or burst's first alarmed step over which each pressure
        /// sensor's residual against the zone's demand regression (`PressureRegression`) is
        /// averaged: longer than the forecast residuals' window, because a leak found by the
        /// balance is often small and its pressure signature a few centimetres.
        public var regressionWindowMs: Int64 = 24 * 3_600_000
        /// Allowance and threshold, in standard deviations, of each sensor's CUSUM. Wider
        /// than the textbook 0.5 and 8 because forecast residuals are not independent (a
        /// morning ramp a little early is an hour of same-signed residuals): on the 7-day
        /// demo, 0.5 and 8 added 8 false leak events to the 4 without the CUSUM; 1 and 16
        /// add one.
        public var cusumAllowance = 1.0
        public var cusumThreshold = 16.0
        /// Minimum night flow on inlets (off: nil).
        public var nightFlow: NightFlowTracker.Config? = NightFlowTracker.Config()
        /// The zone inflow leak detector (`InflowLeakDetector`, a day's window) on the sum
        /// of each zone's inlets; it judges after two weeks of learning.
        public var zoneInflow = true
        /// Whether the forecast rules call slow leaks in a zone with inlet meters while its
        /// balance detector still learns (its first two weeks). Off by default: see
        /// `zoneCondition`. On for a short scenario that must show a leak within days.
        public var leakRulesWhileLearning = false
        public init() {}
    }

    /// One of a sensor's recent warmed-up points.
    struct RecentPoint: Sendable, Codable, Equatable {
        var ts: Int64
        var anomalous: Bool
        var score: Double
        var relative: Double
    }

    /// A pressure point's residual (value − forecast), for localisation.
    struct ResidualStep: Sendable, Codable, Equatable {
        var ts: Int64
        var residual: Double
    }

    /// An inlet's step, for losses counted from an event's start and the zone's net inflow.
    struct InletStep: Sendable, Codable, Equatable {
        var ts: Int64
        var value: Double
        var mean: Double
        var lower: Double
        var upper: Double
        var hours: Double
    }

    struct Membership: Sendable, Codable, Equatable {
        var zone: String
        var role: SensorRole
    }

    struct Member: Sendable, Codable, Equatable {
        var id: String
        var role: SensorRole
    }

    struct SensorWindow: Sendable, Codable {
        var recent: [RecentPoint] = []
        var firstAnomalousMs: Int64?
        /// Exponential moving average of the surprise: sustained drift shows here while
        /// single noisy points do not.
        var smoothed = 0.0
        /// The same average of the deviation relative to the forecast.
        var smoothedRelative = 0.0
        /// When `smoothed` last left the ±0.5 band: the drift's likely start.
        var driftSinceMs: Int64?
        /// `smoothed` when the current run of consecutive anomalous points began: near
        /// zero for an abrupt change (a burst), already raised for a growing one (a leak).
        var smoothedAtOnset = 0.0
        /// On the standardised residual (the surprise × 1.645: ±1 is the 90 % interval's edge).
        var cusum: TwoSidedCUSUM
        /// When each side of `cusum` last left zero: the shift's likely start.
        var cusumUpSinceMs: Int64 = 0
        var cusumDownSinceMs: Int64 = 0
        /// Inlets only.
        var nightFlow: NightFlowTracker?
        var gapRun = 0
        var faultRun = 0
        var firstGapMs: Int64 = 0
        var firstFaultMs: Int64 = 0
    }

    public let config: Config
    var sensors: [String: SensorWindow] = [:]
    /// Open events by key: "zone|hydraulic", "zone|tank", "sensor|data_gap", ...
    var open: [String: DetectedEvent] = [:]

    /// The key of a zone's hydraulic (leak, burst, demand) or tank event in `open`.
    static func zoneKey(_ zone: String, tank: Bool = false) -> String { "\(zone)|\(tank ? "tank" : "hydraulic")" }

    public init(config: Config = Config()) {
        self.config = config
    }

    public var openEvents: [DetectedEvent] { Array(open.values) }
    /// Zone events that ended, by key, in case their condition returns.
    var recentlyEnded: [String: DetectedEvent] = [:]

    /// Feeds one point; returns what changed.
    public mutating func observe(_ p: ScoredPoint) -> [DetectionChange] {
        setRole(p.sensorID, zone: p.zone, role: p.role)
        if !p.outletOfZone.isEmpty { registerOutlet(sensorID: p.sensorID, ofZone: p.outletOfZone) }
        lastSeen[p.sensorID] = max(lastSeen[p.sensorID] ?? p.tsMs, p.tsMs)
        var changes = endQuietEvents(in: p.zone)
        var w = sensors[p.sensorID] ?? SensorWindow(cusum: TwoSidedCUSUM(allowance: config.cusumAllowance, threshold: config.cusumThreshold))
        defer { sensors[p.sensorID] = w }

        // Sensor health first: such points are never hydraulic evidence.
        if p.flags & ScoredPoint.gapFlag != 0 || p.value == nil {
            if w.gapRun == 0 { w.firstGapMs = p.tsMs }
            w.gapRun += 1
            if w.gapRun >= config.minHealthPoints {
                changes += health(.dataGap, p, since: w.firstGapMs)
            }
            return changes
        }
        w.gapRun = 0
        changes += endHealth(.dataGap, sensorID: p.sensorID)
        // The zone's water balance takes every plausible inlet value, a flat one too: a
        // stopped pump's inlet really reads 0 for hours (the stuck flag is still a fault
        // event for the sensor).
        if let term = Self.balanceTerm(p), p.flags & ScoredPoint.outOfRangeFlag == 0 {
            if config.zoneInflow { changes += addToBalance(of: p.zone, p, term) }
            // A flat inlet is still part of the zone's summed inflow (no loss is counted on it).
            if p.role == .inletFlow, let value = p.value, p.flags & ScoredPoint.stuckFlag != 0 && p.warmedUp {
                rememberInletStep(p, value: value)
            }
        }
        // A meter between two zones: the other zone's balance counts it as leaving.
        if !p.outletOfZone.isEmpty, let value = p.value, p.flags & ScoredPoint.outOfRangeFlag == 0, config.zoneInflow {
            changes += addToBalance(of: p.outletOfZone, p, .outflow(value))
        }
        if config.zoneInflow, let value = p.value, p.flags & (ScoredPoint.outOfRangeFlag | ScoredPoint.stuckFlag) == 0 {
            addToPressureRegression(p, value: value)
        }
        if p.flags & (ScoredPoint.stuckFlag | ScoredPoint.outOfRangeFlag) != 0 {
            if w.faultRun == 0 { w.firstFaultMs = p.tsMs }
            w.faultRun += 1
            if w.faultRun >= config.minHealthPoints {
                changes += health(.sensorFault, p, since: w.firstFaultMs)
            }
            return changes
        }
        w.faultRun = 0
        changes += endHealth(.sensorFault, sensorID: p.sensorID)
        // A reading that repeats the ones before it may be a frozen sensor's: no evidence
        // (a run that goes on is flagged stuck; one that ends was little evidence anyway).
        guard p.warmedUp, p.flags & ScoredPoint.repeatedFlag == 0 else { return changes }

        if p.role == .inletFlow, let value = p.value { countLoss(p, value: value) }
        let relative = p.forecastMean != 0 ? ((p.value ?? 0) - p.forecastMean) / abs(p.forecastMean) : 0
        w.recent.append(RecentPoint(ts: p.tsMs, anomalous: p.anomalous, score: p.score, relative: relative))
        if w.recent.count > config.window { w.recent.removeFirst(w.recent.count - config.window) }
        if p.anomalous && w.recent.dropLast().last?.anomalous != true {
            // A new run of consecutive anomalous points starts here.
            w.smoothedAtOnset = w.smoothed
        }
        if p.anomalous {
            if w.firstAnomalousMs == nil { w.firstAnomalousMs = p.tsMs }
        } else if !w.recent.contains(where: \.anomalous) {
            w.firstAnomalousMs = nil
        }
        let alpha = 2 / (Double(config.smoothingPoints) + 1)
        // Clamp single points so one wild value cannot fake a drift.
        w.smoothed += alpha * (max(-6, min(6, p.score)) - w.smoothed)
        w.smoothedRelative += alpha * (max(-1, min(1, relative)) - w.smoothedRelative)
        if abs(w.smoothed) < 0.5 { w.driftSinceMs = nil } else if w.driftSinceMs == nil { w.driftSinceMs = p.tsMs }
        w.cusum.observe(1.645 * p.score)
        if w.cusum.upperRun == 1 { w.cusumUpSinceMs = p.tsMs }
        if w.cusum.lowerRun == 1 { w.cusumDownSinceMs = p.tsMs }
        if p.role == .inletFlow, let value = p.value, let night = config.nightFlow {
            if w.nightFlow == nil { w.nightFlow = NightFlowTracker(config: night) }
            _ = w.nightFlow!.observe(tsMs: p.tsMs, flow: value)
        }
        sensors[p.sensorID] = w
        if p.role == .pressure, let value = p.value { countResidual(p, value: value) }
        changes += evaluateZone(after: p)
        return changes
    }

    // MARK: Pressure residuals (for localisation)

    /// Recent residuals (value − forecast) per pressure sensor, so an event's residuals
    /// come from its own window whatever order the sensors' points arrive in (one
    /// sensor's day may arrive before another's).
    var pressureSteps: [String: [ResidualStep]] = [:]

    /// Remembers a pressure point's residual and, when it falls in its zone's open leak or
    /// burst's localisation window, updates that sensor's mean residual in the event.
    private mutating func countResidual(_ p: ScoredPoint, value: Double) {
        Self.remember(ResidualStep(ts: p.tsMs, residual: value - p.forecastMean), of: p.sensorID, in: &pressureSteps)
        let key = Self.zoneKey(p.zone)
        guard var event = open[key], event.type == .leak || event.type == .burst, event.residualsAgainstDemandFromMs == nil,
            p.tsMs >= event.startMs, p.tsMs < event.startMs + config.localisationWindowMs,
            let mean = meanResidual(p.sensorID, from: event.startMs)
        else { return }
        event.pressureResiduals[p.sensorID] = mean
        open[key] = event
    }

    /// A pressure sensor's mean residual over the localisation window from `start`.
    private func meanResidual(_ id: String, from start: Int64) -> Double? {
        var sum = 0.0
        var count = 0
        for step in (pressureSteps[id] ?? []).reversed() {
            if step.ts < start { break }
            guard step.ts < start + config.localisationWindowMs else { continue }
            sum += step.residual
            count += 1
        }
        return count > 0 ? sum / Double(count) : nil
    }

    /// An opening leak's residuals: each of its zone's pressure sensors over the window so far.
    private func residuals(zone: String, from start: Int64) -> [String: Double] {
        var out: [String: Double] = [:]
        for id in roster(zone).pressures {
            if let mean = meanResidual(id, from: start) { out[id] = mean }
        }
        return out
    }

    // MARK: Zone fusion

    /// The trailing run of consecutive anomalous points of a sensor.
    private func trailingRun(_ w: SensorWindow) -> ArraySlice<RecentPoint> {
        let count = w.recent.reversed().prefix { $0.anomalous }.count
        return w.recent.suffix(count)
    }

    /// Abrupt and large: `minPoints` consecutive anomalous points above the forecast,
    /// the first already `burstRelativeExcess` above it, with no drift before.
    private func burstSignal(_ id: String) -> (since: Int64, relative: Double)? {
        guard let w = sensors[id] else { return nil }
        let run = trailingRun(w)
        guard run.count >= config.minPoints, let first = run.first, first.score > 0,
            first.relative >= config.burstRelativeExcess, w.smoothedAtOnset < 0.5
        else { return nil }
        return (first.ts, first.relative)
    }

    /// An abrupt inlet rise still too young for the burst test: the leak rule waits for it.
    private func burstPending(_ id: String) -> Bool {
        guard let w = sensors[id] else { return false }
        let run = trailingRun(w)
        guard let first = run.first, run.count < config.minPoints else { return false }
        return first.score > 0 && first.relative >= config.burstRelativeExcess && w.smoothedAtOnset < 0.5
    }

    /// Whether the zone's net inflow rose with an inlet's jump: with several inlets (a pump
    /// and a tank's pipe, say) one rising while another falls is water moving around, not
    /// lost. The latest step of each inlet, summed, must exceed its forecast by `share` of it
    /// (half the burst test's relative excess for a burst, anything for a leak).
    private func zoneInflowRises(_ inlets: [String], by share: Double) -> Bool {
        guard inlets.count > 1 else { return true }
        let latest = inlets.compactMap { inletSteps[$0]?.last }
        let excess = latest.reduce(0) { $0 + $1.value - $1.mean }
        let forecast = latest.reduce(0) { $0 + $1.mean }
        return excess > share * abs(forecast)
    }

    /// A sustained small rise (inlet) or fall (pressure) that the CUSUM has added up.
    private func cusumShift(_ id: String, _ side: TwoSidedCUSUM.Side) -> Int64? {
        guard let w = sensors[id], w.cusum.signal == side else { return nil }
        return side == .up ? w.cusumUpSinceMs : w.cusumDownSinceMs
    }

    /// The start of the inlet's run of nights with raised minimum flow, when the run has
    /// become a leak and its latest night is the last one that ended.
    private func nightFlowLeak(_ id: String) -> Int64? {
        guard let nights = sensors[id]?.nightFlow?.nights, let last = nights.last, last.leak else { return nil }
        return nights.reversed().prefix { $0.flagged }.last?.startMs
    }

    private func drift(_ id: String) -> (smoothed: Double, relative: Double, since: Int64)? {
        guard let w = sensors[id] else { return nil }
        return (w.smoothed, w.smoothedRelative, w.driftSinceMs ?? w.recent.last?.ts ?? 0)
    }

    /// The event type the zone's sensors show now, with its likely start.
    private func zoneCondition(_ zone: String, level: Bool) -> (DetectedEventType, Int64)? {
        let roster = roster(zone)
        if level {
            // A tank in its zone's balance is judged there: its level follows its pump's
            // controls, which no forecast of the level alone foresees.
            for id in roster.levels where !roster.storages.contains(id) {
                if let d = drift(id), abs(d.smoothed) >= config.demandSurprise { return (.tankAnomaly, d.since) }
            }
            return nil
        }
        let inlets = roster.inlets
        let meters = roster.meters.compactMap { drift($0)?.relative }
        // Once a zone's balance detector judges (after two weeks), it alone calls the zone's
        // leaks and bursts: it is calibrated on the zone's own net inflow, while the forecast
        // rules are only as good as the forecast (on LeakDB's Hanoi they kept a leak open
        // 40 % of normal time, and a forecast burst test still pending held back the
        // balance's alarm for days on Net1).
        if let tracker = zoneInflow[zone], tracker.isJudging, let now = tracker.lastVerdict?.tsMs {
            // A rise of the balance found before the alarm (or just as it came) makes it a burst.
            let rise = tracker.lastRiseBeforeAlarm.flatMap { r -> Int64? in
                let recent = now - r.foundMs <= config.balanceBurstWithinMs
                let began = tracker.alarmSinceMs.map { abs($0 - r.foundMs) <= config.balanceBurstWithinMs } ?? recent
                return recent || began ? r.rise.sinceMs : nil
            }
            // In a zone that passes water on, the net balance is all that speaks for its inflow.
            if transfersWater(zone) {
                if let since = rise { return (.burst, min(since, tracker.alarmSinceMs ?? since)) }
                return tracker.alarmSinceMs.map { (.leak, $0) }
            }
            if let since = tracker.alarmSinceMs, !inlets.contains(where: { consumed(inlet: $0, meters: meters) }) {
                if let rise { return (.burst, min(rise, since)) }
                return (.leak, since)
            }
            return demandDrop(inlets).map { (.demandAnomaly, $0) }
        }
        // Before its balance judges, a zone that passes water on has nothing to go on: pressures
        // that drop together are no substitute (on L-Town their evening peaks, which the
        // forecasts miss by more than a leak moves them, raised a false leak a day in area A,
        // and where a tank feeds the zone they follow its level).
        if transfersWater(zone) { return nil }
        let netRise = zoneInflowRises(inlets, by: 0.5 * config.burstRelativeExcess)
        for inlet in inlets where netRise {
            if let burst = burstSignal(inlet) { return (.burst, burst.since) }
            if burstPending(inlet) { return nil }
        }
        // While a metered zone's balance learns, its slow leaks wait for it: the forecasts,
        // a few days old and blind to the week's shape, called 2.5 to 4 false leaks per
        // LeakDB zone in its first two weeks (and one a year after). A burst is abrupt and
        // large enough for them.
        if config.zoneInflow && !inlets.isEmpty && !config.leakRulesWhileLearning {
            return demandDrop(inlets).map { (.demandAnomaly, $0) }
        }
        let netExcess = zoneInflowRises(inlets, by: 0)
        for inlet in inlets {
            guard let d = drift(inlet) else { continue }
            // Consumed by customers, or moved between inlets: not lost.
            let consumed = consumed(inlet: inlet, meters: meters) || !netExcess
            // The pressure sensors are read only when an inlet rule needs them (a zone has
            // many, and this runs for every point).
            if !consumed && d.smoothed >= config.leakSurprise {
                let support = roster.pressures.compactMap { drift($0) }.filter { $0.smoothed <= config.pressureSupport }
                if d.smoothed >= config.strongSurprise || !support.isEmpty {
                    return (.leak, ([d.since] + support.map(\.since)).min()!)
                }
            }
            if !consumed, let since = cusumShift(inlet, .up) {
                let falling = roster.pressures.compactMap { cusumShift($0, .down) }
                if let first = falling.min() { return (.leak, min(since, first)) }
            }
            if !consumed, let since = nightFlowLeak(inlet) { return (.leak, since) }
            if d.smoothed <= -config.demandSurprise { return (.demandAnomaly, d.since) }
        }
        if let since = pressureDropSince(roster.pressures) { return (.leak, since) }
        return nil
    }

    /// An inlet whose smoothed surprise fell to −`demandSurprise`: its drift's start.
    private func demandDrop(_ inlets: [String]) -> Int64? {
        for inlet in inlets {
            if let d = drift(inlet), d.smoothed <= -config.demandSurprise { return d.since }
        }
        return nil
    }

    /// Two or more pressure sensors dropped by `strongSurprise`: the earliest drop's start.
    private func pressureDropSince(_ pressures: [String]) -> Int64? {
        var count = 0
        var since = Int64.max
        for id in pressures {
            guard let d = drift(id), d.smoothed <= -config.strongSurprise else { continue }
            count += 1
            since = min(since, d.since)
        }
        return count >= 2 ? since : nil
    }

    /// Water balance: when the customer meters rise with the inlet, the extra water is
    /// being consumed, not lost.
    private func consumed(inlet: String, meters: [Double]) -> Bool {
        guard let d = drift(inlet) else { return false }
        return meters.contains { $0 >= 0.5 * d.relative }
    }

    private mutating func evaluateZone(after p: ScoredPoint) -> [DetectionChange] {
        let isLevel = p.role == .level || p.role == .storageLevel
        let key = Self.zoneKey(p.zone, tank: isLevel)
        let condition = zoneCondition(p.zone, level: isLevel)
        if var event = open[key] {
            // The event lives while its condition holds; anomalous points are evidence but
            // do not keep it alive (stray ones arrive all the time on a busy zone).
            // The condition is judged on every sensor's latest state, so it holds at the
            // zone's clock, not only at this point's time (a point of a sensor running
            // behind would otherwise date it back, and the event would end and reopen).
            // Only a condition of the event's own kind keeps it alive: a leak repaired leaves
            // the inflow under forecasts that had learnt it, a demand anomaly, which must not
            // hold the leak open for days (on LeakDB it did, for about a tenth of the leaks'
            // length). Such an event ends when quiet; the other kind opens after it.
            let holds = condition.map { Self.sameKind($0.0, event.type) } ?? false
            if holds { event.lastEvidenceMs = max(event.lastEvidenceMs, p.tsMs, zoneNow(p.zone) ?? p.tsMs) }
            guard p.anomalous || holds else { return [] }
            if p.anomalous { add(p, to: &event) }
            // A leak is retyped a burst only while young: the burst test completes a few
            // points after a leak rule may have opened it.
            if let (type, since) = condition, type == .burst, event.type == .leak, since - event.startMs <= config.retypeAsBurstWithinMs {
                event.type = .burst
            }
            event.severity = max(event.severity, severity(event))
            event.confidence = confidence(event)
            open[key] = event
            return p.anomalous ? [.updated(event)] : []
        }
        guard let (type, start) = condition else { return [] }
        if var previous = recentlyEnded.removeValue(forKey: key), sameIncident(previous, type, zone: p.zone),
            p.tsMs - previous.lastEvidenceMs <= config.reopenWithinMs
        {
            previous.endMs = nil
            previous.lastEvidenceMs = max(p.tsMs, zoneNow(p.zone) ?? p.tsMs)
            open[key] = previous
            return [.opened(previous)]
        }
        var event = DetectedEvent(
            id: "\(p.zone)-\(type.rawValue)-\(start)", type: type, zone: p.zone, startMs: start,
            lastEvidenceMs: p.tsMs, endMs: nil, severity: 0, confidence: 0, evidence: [], modelVersion: p.modelVersion,
            raisedMs: p.tsMs, traceID: p.traceID)
        seedEvidence(of: sensorsInZone(p.zone), into: &event)
        event.severity = severity(event)
        event.confidence = confidence(event)
        if type == .leak || type == .burst {
            // The inlets' excess since the event's start, as far back as it is remembered.
            var loss = LossEstimate()
            if type == .leak, let tracker = zoneInflow[p.zone], tracker.isJudging {
                if let v = tracker.lastVerdict, v.tsMs >= start {
                    let half = 1.645 * v.sigma
                    loss.add(value: v.excess, mean: 0, lower: -half, upper: half, hours: tracker.stepHours)
                }
            } else {
                for id in roster(p.zone).inlets {
                    for step in inletSteps[id] ?? [] where step.ts >= start {
                        loss.add(value: step.value, mean: step.mean, lower: step.lower, upper: step.upper, hours: step.hours)
                    }
                }
            }
            event.loss = loss
            event.pressureResiduals = residuals(zone: p.zone, from: start)
        }
        open[key] = event
        return [.opened(event)]
    }

    /// Leaks and bursts are one kind (water lost; a leak may be retyped a burst), each other
    /// zone condition its own.
    static func sameKind(_ a: DetectedEventType, _ b: DetectedEventType) -> Bool {
        a == b || (a == .leak || a == .burst) && (b == .leak || b == .burst)
    }

    /// Seeds a new event's evidence with the members' recent anomalous points from `fromMs`.
    private func seedEvidence(of members: [Member], from fromMs: Int64 = .min, into event: inout DetectedEvent) {
        for m in members {
            guard let w = sensors[m.id] else { continue }
            for r in w.recent where r.anomalous && r.ts >= fromMs {
                appendEvidence(m.id, m.role, ts: r.ts, score: r.score, relative: r.relative, to: &event)
            }
        }
    }

    /// Whether a condition that returns soon after `previous` ended is the same incident:
    /// the same type, or a burst's aftermath called a leak — or a leak showing again as an
    /// abrupt excess of about its own size (a leak can hide in the day's high demand and
    /// stand out again at night), which a new burst would exceed.
    private func sameIncident(_ previous: DetectedEvent, _ type: DetectedEventType, zone: String) -> Bool {
        if previous.type == type || (previous.type, type) == (.burst, .leak) { return true }
        guard (previous.type, type) == (.leak, .burst), let loss = previous.loss,
            let last = previous.endMs, last > previous.startMs
        else { return false }
        let meanExcess = loss.volumeM3 / (Double(last - previous.startMs) / 3_600_000)
        let excessNow = roster(zone).inlets.compactMap { inletSteps[$0]?.last }
            .reduce(0) { $0 + $1.value - $1.mean }
        return meanExcess > 0 && excessNow <= 2 * meanExcess
    }

    // MARK: Loss

    /// Recent inlet steps per sensor, to count an event's loss from its start when it
    /// opens later (a drift is confirmed after it began).
    var inletSteps: [String: [InletStep]] = [:]
    /// Inlet steps kept (a day at one-minute cadence).
    static let rememberedInletSteps = 1_440
    /// A step counts for the time since the inlet's previous one, at most this long (a
    /// gap is not water lost).
    static let longestStepHours = 1.0

    /// Remembers an inlet's step (for a loss counted from an event's start, and the zone's
    /// summed inflow); returns the hours it stands for.
    @discardableResult
    private mutating func rememberInletStep(_ p: ScoredPoint, value: Double) -> Double {
        let hours = inletSteps[p.sensorID]?.last.map { min(Self.longestStepHours, Double(max(0, p.tsMs - $0.ts)) / 3_600_000) } ?? 0
        Self.remember(
            InletStep(ts: p.tsMs, value: value, mean: p.forecastMean, lower: p.forecastLower, upper: p.forecastUpper, hours: hours),
            of: p.sensorID, in: &inletSteps)
        return hours
    }

    /// Appends a step to a sensor's remembered window, in place (a copy out of the
    /// dictionary and back would copy the whole window on every point), trimmed to the
    /// newest `rememberedInletSteps` in blocks rather than one step per point.
    private static func remember<Step>(_ step: Step, of id: String, in windows: inout [String: [Step]]) {
        windows[id, default: []].append(step)
        if let count = windows[id]?.count, count > 2 * rememberedInletSteps { windows[id]!.removeFirst(count - rememberedInletSteps) }
    }

    /// Adds an inlet's step to its zone's open leak or burst.
    private mutating func countLoss(_ p: ScoredPoint, value: Double) {
        let hours = rememberInletStep(p, value: value)
        let key = Self.zoneKey(p.zone)
        guard var event = open[key], var loss = event.loss, p.tsMs >= event.startMs, !inflowCountsLoss(event),
            !transfersWater(p.zone)
        else { return }
        loss.add(value: value, mean: p.forecastMean, lower: p.forecastLower, upper: p.forecastUpper, hours: hours)
        event.loss = loss
        open[key] = event
    }

    /// Per zone: its inlets' summed inflow and the inflow leak detector on it.
    var zoneInflow: [String: ZoneInflowTracker] = [:]

    /// A leak in a zone whose inflow detector judges is costed from that detector's excess
    /// (the inflow that does not follow demand), not from the forecast: a forecast learns a
    /// leak that runs for weeks, and its excess shrinks while water is still lost. In a zone
    /// that passes water on, an inlet's forecast says nothing about losses: any event's loss
    /// comes from the net balance.
    private func inflowCountsLoss(_ event: DetectedEvent) -> Bool {
        (event.type == .leak || transfersWater(event.zone)) && zoneInflow[event.zone]?.isJudging == true
    }

    /// Adds a point's term to a zone's balance; a step it completes is costed, and a rise of
    /// the balance found during an alarm opens a burst of its own.
    private mutating func addToBalance(of zone: String, _ p: ScoredPoint, _ term: BalanceTerm) -> [DetectionChange] {
        let members = roster(zone).balanceMembers + (externalOutlets[zone]?.count ?? 0)
        guard let verdict = zoneInflow[zone, default: ZoneInflowTracker()].add(
            sensorID: p.sensorID, tsMs: p.tsMs, term: term, members: members)
        else { return [] }
        countInflowLoss(zone: zone, verdict)
        let inflow = verdict.expected + verdict.excessOverLevel
        pressureModels[zone]?.addStep(
            tsMs: verdict.tsMs, demand: inflow, leakFreeDemand: inflow - max(0, verdict.excess), alarmed: verdict.alarmed)
        var changes = locateAgainstDemand(zone: zone)
        if let found = zoneInflow[zone]?.riseAtLastStep, found.duringAlarm, transfersWater(zone) {
            changes.append(openBalanceBurst(zone: zone, found, p))
        }
        return changes
    }

    // MARK: Pressures against demand (for localisation)

    /// Per zone with a balance: its pressures regressed on its demand, outlets and tanks.
    var pressureModels: [String: PressureRegression] = [:]

    /// A pressure goes to its zone's regression; an outlet's flow or a tank's level is a
    /// feature of the regressions of the zones it leaves (a meter between zones, of both).
    private mutating func addToPressureRegression(_ p: ScoredPoint, value: Double) {
        func add(to zone: String, covariate: Bool) {
            // Only zones whose balance is drawn: their steps fit and clear the values.
            guard zoneInflow[zone] != nil else { return }
            pressureModels[zone, default: PressureRegression()].add(sensorID: p.sensorID, tsMs: p.tsMs, value: value, isCovariate: covariate)
        }
        switch p.role {
        case .pressure: add(to: p.zone, covariate: false)
        case .outletFlow, .storageLevel: add(to: p.zone, covariate: true)
        default: break
        }
        if !p.outletOfZone.isEmpty { add(to: p.outletOfZone, covariate: true) }
    }

    /// Gives the zone's open leaks and bursts their residuals against the demand regression
    /// once it has measured alarmed steps of theirs, averaged over `regressionWindowMs` from
    /// the first; reports the event on its first such residuals and then hourly until the
    /// window is full, so that its location comes early and is then refined.
    private mutating func locateAgainstDemand(zone: String) -> [DetectionChange] {
        guard let model = pressureModels[zone], model.isReady, let newest = model.lastResidualMs else { return [] }
        var changes: [DetectionChange] = []
        for key in [Self.zoneKey(zone)] + balanceBurstKeys(in: zone) {
            guard var event = open[key], event.type == .leak || event.type == .burst, newest >= event.startMs else { continue }
            let from = event.residualsAgainstDemandFromMs ?? model.firstResidualMs(from: event.startMs) ?? newest
            guard newest < from + config.regressionWindowMs else { continue }
            let residuals = model.meanResiduals(from: from, windowMs: config.regressionWindowMs)
            guard residuals.count >= 2, residuals != event.pressureResiduals || event.residualsAgainstDemandFromMs == nil else { continue }
            let first = event.residualsAgainstDemandFromMs == nil
            event.pressureResiduals = residuals
            event.residualsAgainstDemandFromMs = from
            open[key] = event
            if first || newest % 3_600_000 == 0 { changes.append(.updated(event)) }
        }
        return changes
    }

    /// The key of a burst found as a rise of the zone's balance during an alarm: one per
    /// burst, beside the zone's hydraulic event.
    static func balanceBurstKey(_ zone: String, sinceMs: Int64) -> String { "\(zone)|burst|\(sinceMs)" }

    /// The keys of the zone's open balance bursts (those with a `balanceRise`), in order.
    private func balanceBurstKeys(in zone: String) -> [String] {
        open.compactMap { $0.value.zone == zone && $0.value.balanceRise != nil ? $0.key : nil }.sorted()
    }

    /// Opens a burst for a rise of the balance while the zone's alarm is raised about
    /// another leak: costed at the rise's flow, it lives as long as the alarm does.
    private mutating func openBalanceBurst(zone: String, _ found: ZoneInflowTracker.FoundRise, _ p: ScoredPoint) -> DetectionChange {
        let since = found.rise.sinceMs
        var event = DetectedEvent(
            id: "\(zone)-\(DetectedEventType.burst.rawValue)-\(since)", type: .burst, zone: zone, startMs: since,
            lastEvidenceMs: found.foundMs, endMs: nil, severity: 0, confidence: 0, evidence: [], modelVersion: p.modelVersion,
            raisedMs: p.tsMs, traceID: p.traceID)
        seedEvidence(of: roster(zone).inlets.map { Member(id: $0, role: .inletFlow) }, from: since, into: &event)
        event.loss = LossEstimate()
        event.balanceRise = found.rise.size
        event.severity = min(1, found.rise.size / max(1e-9, 0.5 * (zoneInflow[zone]?.lastVerdict?.expected ?? found.rise.size)))
        event.confidence = 1
        event.pressureResiduals = residuals(zone: zone, from: since)
        open[Self.balanceBurstKey(zone, sinceMs: since)] = event
        return .opened(event)
    }

    /// The zone balance detector's verdict on the latest step it judged (nil before it judges).
    public func balanceVerdict(zone: String) -> InflowLeakDetector.Verdict? { zoneInflow[zone]?.lastVerdict }

    /// Per zone: the meters in other zones that take water out of it (`outletOfZone`).
    var externalOutlets: [String: Set<String>] = [:]

    /// Whether water passes through the zone as well as into it: an outlet (its own or a
    /// meter in the next zone) or a tank. Then an inlet's flow alone says nothing about what
    /// the zone uses — a pump starting to fill the tank is no burst — and only the net
    /// balance does.
    func transfersWater(_ zone: String) -> Bool {
        let roster = roster(zone)
        return !roster.outlets.isEmpty || !roster.storages.isEmpty || !(externalOutlets[zone]?.isEmpty ?? true)
    }

    /// Registers a meter in another zone as an outlet of `zone`'s balance; the registry
    /// tells insight of them before their first point, so that the zone's first steps
    /// wait for them whatever order points arrive in.
    public mutating func registerOutlet(sensorID: String, ofZone zone: String) {
        externalOutlets[zone, default: []].insert(sensorID)
    }

    /// A point's part in its zone's water balance, if it has one.
    static func balanceTerm(_ p: ScoredPoint) -> BalanceTerm? {
        guard let value = p.value else { return nil }
        switch p.role {
        case .inletFlow: return .inflow(value)
        case .outletFlow: return .outflow(value)
        case .storageLevel where p.storageAreaM2 > 0: return .storage(level: value, areaM2: p.storageAreaM2)
        default: return nil
        }
    }

    /// Adds a judged step's excess to its zone's open leak (interval: ±1.645 spreads), less
    /// the flow of the bursts found during its alarm, which their own events count; keeps
    /// those bursts alive while the alarm lasts.
    private mutating func countInflowLoss(zone: String, _ v: InflowLeakDetector.Verdict) {
        guard let tracker = zoneInflow[zone] else { return }
        let (hours, half) = (tracker.stepHours, 1.645 * v.sigma)
        for key in v.alarmed ? balanceBurstKeys(in: zone) : [] {
            guard var burst = open[key], v.tsMs >= burst.startMs else { continue }
            burst.lastEvidenceMs = max(burst.lastEvidenceMs, v.tsMs)
            burst.loss?.add(value: burst.balanceRise ?? 0, mean: 0, lower: -half, upper: half, hours: hours)
            open[key] = burst
        }
        let key = Self.zoneKey(zone)
        guard var event = open[key], inflowCountsLoss(event), var loss = event.loss, v.tsMs >= event.startMs else { return }
        // Bursts of their own are opened in zones that pass water on only.
        let ownBursts = transfersWater(zone) ? tracker.risesDuringAlarm : 0
        loss.add(value: max(0, v.excess - ownBursts), mean: 0, lower: -half, upper: half, hours: hours)
        event.loss = loss
        open[key] = event
    }

    var roles: [String: Membership] = [:]
    /// The newest time seen per sensor. A zone's clock is the slowest of its reporting
    /// sensors (one silent for more than `staleSensorMs` does not hold it back), so points
    /// that arrive out of step across sensors — a batch of one sensor's hour before the
    /// others' — cannot end an event early.
    var lastSeen: [String: Int64] = [:]

    /// Each zone's sensors, kept as sensors are learnt (asked for on every point).
    var members: [String: [Member]] = [:] {
        didSet { rosters = members.mapValues(Roster.init) }
    }

    func sensorsInZone(_ zone: String) -> [Member] {
        members[zone] ?? []
    }

    /// A zone's sensor ids by role, in id order: the zone rules ask for them on every
    /// point, so they are split once per change of membership, not filtered per point.
    struct Roster: Sendable {
        var inlets: [String] = []
        var pressures: [String] = []
        var meters: [String] = []
        var levels: [String] = []
        var outlets: [String] = []
        var storages: [String] = []

        init(_ members: [Member]) {
            for m in members {
                switch m.role {
                case .inletFlow: inlets.append(m.id)
                case .outletFlow: outlets.append(m.id)
                case .pressure: pressures.append(m.id)
                case .meter: meters.append(m.id)
                case .level: levels.append(m.id)
                case .storageLevel:
                    levels.append(m.id)
                    storages.append(m.id)
                default: break
                }
            }
        }

        /// The sensors of the zone's water balance.
        var balanceMembers: Int { inlets.count + outlets.count + storages.count }
    }

    /// Derived from `members`, split again whenever they change (sensors are learnt
    /// rarely, points arrive all the time).
    private var rosters: [String: Roster] = [:]

    func roster(_ zone: String) -> Roster { rosters[zone] ?? Roster([]) }

    mutating func setRole(_ id: String, zone: String, role: SensorRole) {
        if let known = roles[id] {
            if known.zone == zone && known.role == role { return }
            members[known.zone]?.removeAll { $0.id == id }
        }
        roles[id] = Membership(zone: zone, role: role)
        // One write, so the rosters are split again once.
        members[zone] = ((members[zone] ?? []) + [Member(id: id, role: role)]).sorted { $0.id < $1.id }
    }

    /// Registers a sensor's zone and role (the detector learns them from points too).
    public mutating func register(sensorID: String, zone: String, role: SensorRole) {
        setRole(sensorID, zone: zone, role: role)
    }

    /// A point's deviation from its forecast, relative to the forecast, as evidence keeps
    /// it: at most ±`maxEvidenceRelative`, since a forecast near zero (a stopped pump's
    /// flow, 1e-17 m³/h) would make it any size at all.
    static let maxEvidenceRelative = 10.0

    private mutating func add(_ p: ScoredPoint, to event: inout DetectedEvent) {
        let raw = p.forecastMean != 0 ? ((p.value ?? 0) - p.forecastMean) / abs(p.forecastMean) : 0
        let relative = raw.isFinite ? max(-Self.maxEvidenceRelative, min(Self.maxEvidenceRelative, raw)) : 0
        appendEvidence(p.sensorID, p.role, ts: p.tsMs, score: p.score, relative: relative, to: &event)
    }

    /// Evidence stores deviations relative to the forecast (forecast normalised to 1),
    /// so sensors of different units can be compared.
    private func appendEvidence(
        _ id: String, _ role: SensorRole, ts: Int64, score: Double, relative: Double, to event: inout DetectedEvent
    ) {
        if let i = event.evidence.firstIndex(where: { $0.sensorID == id }) {
            var e = event.evidence[i]
            e.firstMs = min(e.firstMs, ts)
            e.lastMs = max(e.lastMs, ts)
            if abs(score) > abs(e.peakScore) { e.peakScore = score }
            e.deviationSum += relative
            e.forecastSum += 1
            e.anomalousPoints += 1
            event.evidence[i] = e
        } else {
            event.evidence.append(SensorEvidence(
                sensorID: id, role: role, firstMs: ts, lastMs: ts, peakScore: score,
                deviationSum: relative, forecastSum: 1, anomalousPoints: 1))
        }
    }

    private func severity(_ e: DetectedEvent) -> Double {
        let inletExcess = e.evidence.filter { $0.role == .inletFlow }.map { abs($0.meanDeviation) }.max() ?? 0
        let peak = e.evidence.map { abs($0.peakScore) }.max() ?? 0
        return min(1, max(inletExcess / 0.5, peak / 20))
    }

    private func confidence(_ e: DetectedEvent) -> Double {
        let corroborating = e.evidence.filter { $0.anomalousPoints >= config.minPoints }.count
        return min(0.95, 0.4 + 0.15 * Double(corroborating))
    }

    // MARK: Sensor health

    private mutating func health(_ type: DetectedEventType, _ p: ScoredPoint, since: Int64) -> [DetectionChange] {
        let key = "\(p.sensorID)|\(type.rawValue)"
        if var event = open[key] {
            event.lastEvidenceMs = p.tsMs
            event.evidence[0].lastMs = p.tsMs
            event.evidence[0].anomalousPoints += 1
            open[key] = event
            return []  // health events change only when they open and end
        }
        let evidence = SensorEvidence(
            sensorID: p.sensorID, role: p.role, firstMs: since, lastMs: p.tsMs, peakScore: 0,
            deviationSum: 0, forecastSum: 0, anomalousPoints: config.minHealthPoints)
        let event = DetectedEvent(
            id: "\(p.sensorID)-\(type.rawValue)-\(since)", type: type, zone: p.zone, startMs: since,
            lastEvidenceMs: p.tsMs, endMs: nil, severity: 0.3, confidence: 0.9, evidence: [evidence],
            modelVersion: p.modelVersion, raisedMs: p.tsMs, traceID: p.traceID)
        open[key] = event
        return [.opened(event)]
    }

    // MARK: Ending

    /// Ends a sensor's health event once a clean point of that sensor arrives.
    private mutating func endHealth(_ type: DetectedEventType, sensorID: String) -> [DetectionChange] {
        guard var event = open.removeValue(forKey: "\(sensorID)|\(type.rawValue)") else { return [] }
        event.endMs = event.lastEvidenceMs
        return [.ended(event)]
    }

    /// Ends the zone's hydraulic and tank events whose evidence has been gone for
    /// `quietMs` by the zone's clock.
    /// The zone's clock: the slowest of its reporting sensors (one more than
    /// `staleSensorMs` behind the newest does not hold it back).
    private func zoneNow(_ zone: String) -> Int64? {
        let seen = sensorsInZone(zone).compactMap { lastSeen[$0.id] }
        guard let newest = seen.max() else { return nil }
        return seen.filter { $0 >= newest - config.staleSensorMs }.min()
    }

    private mutating func endQuietEvents(in zone: String) -> [DetectionChange] {
        // A zone's events are kept under its two keys, and its balance bursts under one each
        // (sensor health under the sensor's).
        let keys = [Self.zoneKey(zone), Self.zoneKey(zone, tank: true)].filter { open[$0] != nil }
            + balanceBurstKeys(in: zone)
        guard !keys.isEmpty, let now = zoneNow(zone) else { return [] }
        var changes: [DetectionChange] = []
        for key in keys {
            guard let event = open[key] else { continue }
            if now - event.lastEvidenceMs > config.quietMs {
                var ended = event
                ended.endMs = event.lastEvidenceMs
                open[key] = nil
                recentlyEnded[key] = ended
                changes.append(.ended(ended))
            }
        }
        return changes
    }
}
