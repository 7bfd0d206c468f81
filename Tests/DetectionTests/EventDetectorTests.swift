import Foundation
import Simulation
import Testing
@testable import Detection

private let minute: Int64 = 60_000
private let hour: Int64 = 60 * minute
/// Start of the synthetic data (data time, not wall time).
private let t0: Int64 = 1_704_067_200_000

/// Quality flag bits as cleaning sets them.
private let gapFlag: UInt32 = 4
private let stuckFlag: UInt32 = 32
private let repeatedFlag: UInt32 = 256

/// What one sensor shows at one minute.
private struct Reading {
    var score: Double = 0
    /// Value relative to the forecast: 0.4 is 40% above it.
    var relative: Double = 0
    var anomalous: Bool?
    var flags: UInt32 = 0
    var value: Double?? = .none

    static let normal = Reading()
}

/// A zone with an inlet flow sensor, three pressure sensors and a customer meter, fed one
/// point per sensor per minute.
private struct ZoneHarness {
    let zone = "north"
    let inlet = "north-inlet"
    let pressures = ["north-p1", "north-p2", "north-p3"]
    let meter = "north-meter"
    /// The forecast rules under test call leaks from the first points (by default a metered
    /// zone's slow leaks wait for its balance detector's two weeks of learning).
    var detector = EventDetector(config: ZoneHarness.forecastRules)
    var changes: [(ts: Int64, change: DetectionChange)] = []

    static var forecastRules: EventDetector.Config {
        var c = EventDetector.Config()
        c.leakRulesWhileLearning = true
        return c
    }

    var events: [DetectedEvent] { changes.map(\.change.event) }
    var opened: [DetectedEvent] {
        changes.compactMap { if case .opened(let e) = $0.change { e } else { nil } }
    }
    var ended: [(ts: Int64, event: DetectedEvent)] {
        changes.compactMap { c in if case .ended(let e) = c.change { (c.ts, e) } else { nil } }
    }

    func forecast(_ id: String) -> Double { id == inlet ? 100 : id == meter ? 60 : 50 }

    mutating func feed(_ id: String, role: SensorRole, at ts: Int64, _ r: Reading) {
        let f = forecast(id)
        let value: Double? = r.value ?? f * (1 + r.relative)
        let p = ScoredPoint(
            sensorID: id, zone: zone, role: role, tsMs: ts, value: value, forecastMean: f, score: r.score,
            anomalous: r.anomalous ?? (abs(r.score) > 1.5), warmedUp: true, flags: r.flags, modelVersion: "test-1",
            forecastLower: 0.9 * f, forecastUpper: 1.1 * f)
        for c in detector.observe(p) { changes.append((ts, c)) }
    }

    /// One minute of data: inlet, pressures, then meter.
    mutating func tick(
        _ ts: Int64, inlet i: Reading = .normal, pressure: (Int) -> Reading = { _ in .normal }, meter m: Reading = .normal
    ) {
        feed(inlet, role: .inletFlow, at: ts, i)
        for (k, id) in pressures.enumerated() { feed(id, role: .pressure, at: ts, pressure(k)) }
        feed(meter, role: .meter, at: ts, m)
    }

    /// `minutes` of an abrupt inlet excess (40 % over the forecast, surprise 6) with normal
    /// pressures; returns the next time.
    mutating func burst(from ts: Int64, minutes: Int) -> Int64 {
        var t = ts
        for _ in 0..<minutes {
            tick(t, inlet: Reading(score: 6, relative: 0.4, anomalous: true))
            t += minute
        }
        return t
    }

    /// `minutes` of quiet, normal data with small deterministic noise; returns the next time.
    mutating func quiet(from ts: Int64, minutes: Int, seed: UInt64 = 1) -> Int64 {
        var rng = SeededGenerator(seed: seed)
        var t = ts
        for _ in 0..<minutes {
            let n = (0..<5).map { _ in rng.nextDouble(in: -1...1) * 0.9 }  // |score| < 0.9
            tick(
                t, inlet: Reading(score: n[0], relative: 0.01 * n[0]),
                pressure: { k in Reading(score: n[1 + k], relative: 0.005 * n[1 + k]) },
                meter: Reading(score: n[4], relative: 0.01 * n[4]))
            t += minute
        }
        return t
    }
}

@Suite struct EventDetectorTests {
    @Test func quietNormalScoresRaiseNoEvents() {
        var z = ZoneHarness()
        _ = z.quiet(from: t0, minutes: 6 * 60)
        #expect(z.changes.isEmpty)
        #expect(z.detector.openEvents.isEmpty)
    }

    @Test func suddenInletExcessIsABurstFromItsOnset() throws {
        var z = ZoneHarness()
        let onset = z.quiet(from: t0, minutes: 60)
        #expect(z.changes.isEmpty)
        _ = z.burst(from: onset, minutes: 20)
        #expect(z.opened.count == 1)
        let event = try #require(z.opened.first)
        #expect(event.type == .burst)
        #expect(event.startMs == onset)
        #expect(event.zone == "north")
        #expect(event.id == "north-burst-\(onset)")
        #expect(event.sensorIDs.contains("north-inlet"))
        #expect(event.evidence.first { $0.sensorID == "north-inlet" }!.meanDeviation == 0.4)
        // Opened once the burst test has `minPoints` anomalous inlet points.
        #expect(z.changes.first!.ts == onset + 4 * minute)
        #expect(!z.events.contains { $0.type == .leak })
        // Further evidence updates the same event.
        #expect(z.changes.dropFirst().allSatisfy { if case .updated(let e) = $0.change { e.id == event.id } else { false } })
        #expect(z.detector.openEvents.map(\.id) == [event.id])
    }

    /// Known issue: a real burst also drops the pressures. With pressure support the leak
    /// rule (smoothed inlet surprise ≥ 1) fires on the 4th anomalous inlet point, before the
    /// burst rule can (5 points). The event is later retyped `burst`, but keeps the leak's
    /// id ("north-leak-…") and start (onset + 1 min, when the inlet's average left ±0.5),
    /// so its id no longer reads zone-type-start and the start is not the onset.
    /// A constant excess of 40 m³/h on the inlet (forecast 100, interval ±10) for 20
    /// one-minute steps from the onset: 40 × 20/60 m³ lost, between 30 × 20/60 and 50 × 20/60.
    @Test func lossIntegratesTheInletExcessExactly() throws {
        var z = ZoneHarness()
        let onset = z.quiet(from: t0, minutes: 60)
        _ = z.burst(from: onset, minutes: 20)
        let event = try #require(z.detector.openEvents.first { $0.type == .burst })
        let loss = try #require(event.loss)
        #expect(abs(loss.volumeM3 - 40.0 * 20 / 60) < 1e-9)
        #expect(abs(loss.lowM3 - 30.0 * 20 / 60) < 1e-9)
        #expect(abs(loss.highM3 - 50.0 * 20 / 60) < 1e-9)
        #expect(abs(loss.currentFlowM3h - 40) < 1e-9)
        // Health events carry no loss.
        #expect(z.detector.openEvents.allSatisfy { $0.type == .burst || $0.loss == nil })
    }

    @Test func burstWithPressureDropIsOpenedAsBurstFromItsOnset() {
        var z = ZoneHarness()
        let onset = z.quiet(from: t0, minutes: 60)
        var t = onset
        for _ in 0..<20 {
            z.tick(
                t, inlet: Reading(score: 6, relative: 0.4, anomalous: true),
                pressure: { _ in Reading(score: -5, relative: -0.2, anomalous: true) })
            t += minute
        }
        // What holds today: one event, a burst by now.
        #expect(z.detector.openEvents.count == 1)
        #expect(z.detector.openEvents.first?.type == .burst)
        #expect(z.opened.first?.type == .burst)
        #expect(z.opened.first?.startMs == onset)
        #expect(z.detector.openEvents.map(\.id) == ["north-burst-\(onset)"])
    }

    @Test func slowlyGrowingInletWithPressureSupportIsALeak() throws {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 60)
        for i in 0..<240 {
            let s = 3 * Double(i) / 240  // the inlet's surprise grows from 0 to 3 over four hours
            z.tick(
                t, inlet: Reading(score: s, relative: 0.05 * s),
                pressure: { _ in Reading(score: -0.8, relative: -0.01) })
            t += minute
        }
        let types = Set(z.opened.map(\.type))
        #expect(types == [.leak])
        #expect(!z.events.contains { $0.type == .burst })
        let leak = try #require(z.opened.first)
        #expect(leak.id == "north-leak-\(leak.startMs)")
        #expect(leak.startMs < z.changes.first!.ts)  // the drift began before it was called a leak
        // The leak is called before the inlet alone is strong (smoothed ≥ 2): the pressure
        // sensors support it.
        #expect(z.changes.first!.ts < t0 + hour + 150 * minute)
    }

    /// By default a metered zone's slow leaks wait for its balance detector (two weeks of
    /// learning): the same drift as above raises nothing in its first hours, while an abrupt
    /// burst still does.
    @Test func whileTheBalanceLearnsOnlyBurstsAreCalled() {
        var z = ZoneHarness()
        z.detector = EventDetector()
        var t = z.quiet(from: t0, minutes: 60)
        for i in 0..<240 {
            let s = 3 * Double(i) / 240
            z.tick(t, inlet: Reading(score: s, relative: 0.05 * s), pressure: { _ in Reading(score: -0.8, relative: -0.01) })
            t += minute
        }
        #expect(!z.events.contains { $0.type == .leak || $0.type == .burst }, "\(z.opened.map(\.id))")
        var b = ZoneHarness()
        b.detector = EventDetector()
        _ = b.burst(from: b.quiet(from: t0, minutes: 60), minutes: 30)
        #expect(b.opened.map(\.type) == [.burst])
    }

    /// A leak repaired: the inlet falls below forecasts that had learnt it (a demand
    /// anomaly's condition). That condition does not keep the leak open: it ends after the
    /// quiet period, and the demand anomaly opens after it.
    @Test func aRepairedLeakIsNotHeldOpenByTheDemandAnomalyThatFollows() throws {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 60)
        for _ in 0..<120 {
            z.tick(t, inlet: Reading(score: 3, relative: 0.15))
            t += minute
        }
        let leak = try #require(z.opened.first { $0.type == .leak })
        let repaired = t
        for _ in 0..<240 {
            z.tick(t, inlet: Reading(score: -5, relative: -0.2))
            t += minute
        }
        let ended = try #require(z.ended.first { $0.event.id == leak.id })
        #expect(ended.ts <= repaired + z.detector.config.quietMs + 60 * minute, "ended at \(ended.ts - repaired) ms after the repair")
        #expect(z.opened.contains { $0.type == .demandAnomaly })
    }

    /// Large in relative terms (the first anomalous point is already 22% over the forecast)
    /// but grown over an hour: the surprise average had risen before the first anomalous
    /// point, so it is a leak, not a burst.
    @Test func largeButGrowingInletRiseIsALeakNotABurst() {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 60)
        for i in 0..<120 {
            let s = min(4, 3 * Double(i) / 60)
            z.tick(t, inlet: Reading(score: s, relative: 0.15 * s))
            t += minute
        }
        #expect(z.opened.map(\.type) == [.leak])
        #expect(!z.events.contains { $0.type == .burst })
    }

    @Test func inletRiseWithoutPressureSupportNeedsAStrongDrift() {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 60)
        for i in 0..<240 {
            let s = 3 * Double(i) / 240
            z.tick(t, inlet: Reading(score: s, relative: 0.05 * s))
            t += minute
        }
        #expect(z.opened.map(\.type) == [.leak])
        var supported = ZoneHarness()
        t = supported.quiet(from: t0, minutes: 60)
        for i in 0..<240 {
            let s = 3 * Double(i) / 240
            supported.tick(
                t, inlet: Reading(score: s, relative: 0.05 * s),
                pressure: { _ in Reading(score: -0.8, relative: -0.01) })
            t += minute
        }
        // Pressure support calls the same leak earlier.
        #expect(supported.changes.first!.ts < z.changes.first!.ts)
    }

    @Test func meterRisingWithTheInletIsConsumptionNotALeak() {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 60)
        for i in 0..<240 {
            let s = 3 * Double(i) / 240
            z.tick(
                t, inlet: Reading(score: s, relative: 0.05 * s),
                pressure: { _ in Reading(score: -0.8, relative: -0.01) },
                meter: Reading(score: s, relative: 0.05 * s))
            t += minute
        }
        #expect(!z.events.contains { $0.type == .leak || $0.type == .burst })
        #expect(z.opened.isEmpty)
    }

    @Test func gapFlaggedPointsOpenAndEndADataGap() throws {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 30)
        let firstGap = t
        // The inlet's points are gap-flagged; their values and scores are garbage and must
        // never count as hydraulic evidence.
        for i in 0..<20 {
            z.tick(t, inlet: Reading(score: 8, relative: 0.6, anomalous: true, flags: gapFlag, value: i % 2 == 0 ? nil : 160))
            t += minute
        }
        #expect(z.opened.count == 1)
        let gap = try #require(z.opened.first)
        #expect(gap.type == .dataGap)
        #expect(gap.startMs == firstGap)
        #expect(gap.id == "north-inlet-data_gap-\(firstGap)")
        #expect(gap.sensorIDs == ["north-inlet"])
        // Opened after `minHealthPoints` (5) gap points; later gap points change nothing.
        #expect(z.changes.count == 1)
        #expect(z.changes[0].ts == firstGap + 4 * minute)
        let lastGap = t - minute
        // A clean point of that sensor ends it.
        z.tick(t)
        #expect(z.ended.count == 1)
        let ended = try #require(z.ended.first)
        #expect(ended.event.id == gap.id)
        #expect(ended.event.endMs == lastGap)
        #expect(ended.ts == t)
        #expect(!z.events.contains { $0.type == .leak || $0.type == .burst })
        #expect(z.detector.openEvents.isEmpty)
    }

    @Test func fewerThanMinHealthPointsOfGapOpenNothing() {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 10)
        for _ in 0..<4 {
            z.tick(t, pressure: { k in k == 0 ? Reading(flags: gapFlag, value: .some(nil)) : .normal })
            t += minute
        }
        _ = z.quiet(from: t, minutes: 10)
        #expect(z.changes.isEmpty)
    }

    @Test func stuckFlagIsASensorFaultNotALeak() {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 30)
        let first = t
        // Two pressure sensors stuck low: as hydraulic evidence this would be a pressure leak.
        for _ in 0..<30 {
            z.tick(t, pressure: { k in k < 2 ? Reading(score: -8, relative: -0.3, anomalous: true, flags: stuckFlag) : .normal })
            t += minute
        }
        #expect(z.opened.count == 2)
        #expect(z.opened.allSatisfy { $0.type == .sensorFault && $0.startMs == first })
        #expect(Set(z.opened.map(\.id)) == ["north-p1-sensor_fault-\(first)", "north-p2-sensor_fault-\(first)"])
        #expect(!z.events.contains { $0.type == .leak || $0.type == .burst })
        // Not ended by the quiet period: only a clean point of the sensor ends it.
        t = z.quiet(from: t, minutes: 1)
        #expect(z.ended.count == 2)
        #expect(z.ended.allSatisfy { $0.event.endMs == first + 29 * minute })
    }

    @Test func repeatedReadingsAreNoEvidenceUnflaggedTheyAreALeak() {
        // Two pressure sensors reading low and flat: while the run is only `repeated`
        // (not yet judged stuck), nothing opens; the same points without the flag are a
        // pressure leak.
        for (flags, leak) in [(repeatedFlag, false), (UInt32(0), true)] {
            var z = ZoneHarness()
            var t = z.quiet(from: t0, minutes: 30)
            for _ in 0..<20 {
                z.tick(t, pressure: { k in k < 2 ? Reading(score: -8, relative: -0.3, anomalous: true, flags: flags) : .normal })
                t += minute
            }
            #expect(z.events.contains { $0.type == .leak } == leak, "flags \(flags): \(z.events.map(\.id))")
            if !leak { #expect(z.events.isEmpty) }
        }
    }

    @Test func eventsRecordThePointThatRaisedThem() throws {
        var z = ZoneHarness()
        let t = z.quiet(from: t0, minutes: 30)
        _ = z.burst(from: t, minutes: 10)
        let burst = try #require(z.opened.first { $0.type == .burst })
        let raisedAt = try #require(z.changes.first { if case .opened = $0.change { true } else { false } }?.ts)
        #expect(burst.raisedMs == raisedAt && burst.raisedMs! >= burst.startMs)
    }

    @Test func healthEventsDoNotEndByTheQuietPeriod() {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 10)
        for _ in 0..<5 {
            z.tick(t, pressure: { k in k == 2 ? Reading(flags: gapFlag, value: .some(nil)) : .normal })
            t += minute
        }
        #expect(z.opened.map(\.type) == [.dataGap])
        // Three hours of data from the other sensors only.
        for _ in 0..<180 {
            z.feed(z.inlet, role: .inletFlow, at: t, .normal)
            t += minute
        }
        #expect(z.ended.isEmpty)
        #expect(z.detector.openEvents.map(\.type) == [.dataGap])
    }

    @Test func eventEndsAfterQuietPeriodWithoutEvidence() throws {
        var z = ZoneHarness()
        let onset = z.quiet(from: t0, minutes: 60)
        var t = z.burst(from: onset, minutes: 20)
        let burst = try #require(z.opened.first)
        t = z.quiet(from: t, minutes: 3 * 60, seed: 9)
        #expect(z.ended.count == 1)
        let (endedAt, ended) = try #require(z.ended.first)
        #expect(ended.id == burst.id)
        #expect(ended.type == .burst)
        let endMs = try #require(ended.endMs)
        #expect(endMs == ended.lastEvidenceMs)
        #expect(endMs >= onset + 19 * minute)  // the last anomalous point is evidence
        // Ended at the first point more than `quietMs` of data time after the last evidence.
        let quietMs = z.detector.config.quietMs
        #expect(endedAt - endMs > quietMs)
        #expect(endedAt - minute - endMs <= quietMs)
        #expect(z.detector.openEvents.isEmpty)
        // Nothing after the end.
        #expect(z.changes.last!.change == .ended(ended))
    }

    /// The condition returning within `reopenWithinMs` reopens the ended event (same id and
    /// start, its loss carried on); after that window a new event opens.
    @Test func anEndedEventReopensWhenItsEvidenceReturnsSoon() throws {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 60)
        func burst(minutes: Int) {
            for _ in 0..<minutes {
                z.tick(t, inlet: Reading(score: 6, relative: 0.4, anomalous: true))
                t += minute
            }
        }
        burst(minutes: 20)
        let first = try #require(z.opened.first)
        t = z.quiet(from: t, minutes: 2 * 60, seed: 9)
        #expect(z.ended.count == 1)
        let lossAtEnd = try #require(z.ended.first?.event.loss?.volumeM3)
        burst(minutes: 20)
        let reopened = try #require(z.opened.last)
        #expect(z.opened.count == 2 && reopened.id == first.id && reopened.startMs == first.startMs)
        #expect(reopened.endMs == nil)
        #expect(try #require(z.detector.openEvents.first?.loss?.volumeM3) > lossAtEnd)
        // Quiet for longer than the window: the next burst is a new event.
        t = z.quiet(from: t, minutes: 8 * 60, seed: 11)
        burst(minutes: 20)
        #expect(z.opened.count == 3 && z.opened.last!.id != first.id)
    }

    @Test func eventIDsAreStableZoneTypeStart() {
        func run() -> [DetectionChange] {
            var z = ZoneHarness()
            var t = z.quiet(from: t0, minutes: 60)
            for _ in 0..<20 {
                z.tick(t, inlet: Reading(score: 6, relative: 0.4, anomalous: true))
                t += minute
            }
            _ = z.quiet(from: t, minutes: 120, seed: 5)
            return z.changes.map(\.change)
        }
        let first = run()
        let second = run()
        #expect(first == second)  // a replay (or a restarted detector) names its events the same
        let ids = Set(first.map(\.event.id))
        #expect(ids.count == 1)
        let event = first[0].event
        #expect(ids.first == "\(event.zone)-\(event.type.rawValue)-\(event.startMs)")
    }

    /// An hour quiet, then ten minutes of the inlet 40 % over its forecast: a burst. Returns
    /// the harness and the time after it.
    private func burstingZone() -> (ZoneHarness, Int64) {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 60)
        for _ in 0..<10 {
            z.tick(t, inlet: Reading(score: 6, relative: 0.4, anomalous: true))
            t += minute
        }
        return (z, t)
    }

    @Test func burstSummaryNamesTheInletExcess() throws {
        let (z, _) = burstingZone()
        let event = try #require(z.detector.openEvents.first)
        #expect(event.summary == "burst in north: north-inlet +40% vs forecast")
        #expect(event.severity == 0.8)  // inlet excess 0.4 / 0.5
    }

    @Test func aForecastNearZeroCannotBlowUpTheEvidence() throws {
        // A stopped pump: forecast 1e-17 m³/h, then it starts at 40 m³/h for a run of points.
        var (z, t) = burstingZone()
        var pump = ScoredPoint(
            sensorID: "north-inlet", zone: "north", role: .inletFlow, tsMs: t, value: 40, forecastMean: 1e-17,
            score: 8, anomalous: true, warmedUp: true, flags: 0, modelVersion: "test-1")
        for _ in 0..<5 {
            _ = z.detector.observe(pump)
            pump.tsMs += minute
        }
        let event = try #require(z.detector.openEvents.first)
        let inlet = try #require(event.evidence.first { $0.sensorID == "north-inlet" })
        #expect(inlet.meanDeviation.isFinite && inlet.meanDeviation <= EventDetector.maxEvidenceRelative)
        #expect(event.summary.hasPrefix("burst in north: north-inlet +"))
    }
}

/// Slow leaks the smoothed surprise misses: the CUSUM and the minimum night flow.
@Suite struct SlowLeakTests {
    /// The inlet 0.9 interval-halves over its forecast for hours (its smoothed surprise
    /// stays under the leak rule's 1.0) with the pressures 0.9 under theirs: the CUSUMs add
    /// it up into a leak, and the leak carries each pressure sensor's residual.
    @Test func smallSustainedRiseWithFallingPressureIsALeakThroughTheCUSUM() throws {
        var z = ZoneHarness()
        let onset = z.quiet(from: t0, minutes: 60)
        var t = onset
        for _ in 0..<240 {
            z.tick(t, inlet: Reading(score: 0.9, relative: 0.045), pressure: { _ in Reading(score: -0.9, relative: -0.005) })
            t += minute
        }
        let leak = try #require(z.opened.first)
        #expect(z.opened.map(\.type) == [.leak])
        // Each CUSUM gains 1.645 × 0.9 − 1 ≈ 0.48 a step: past 16 after about 34 steps.
        #expect(z.changes.first!.ts >= onset + 30 * minute && z.changes.first!.ts <= onset + 40 * minute)
        #expect(leak.startMs >= onset - 5 * minute && leak.startMs <= onset + minute)
        let residuals = try #require(z.detector.openEvents.first { $0.type == .leak }?.pressureResiduals)
        #expect(Set(residuals.keys) == Set(z.pressures))
        // Forecast 50, 0.5 % under it: −0.25 in the sensor's unit, averaged from the start.
        for value in residuals.values { #expect(abs(value + 0.25) < 0.01, "\(residuals)") }
    }

    @Test func smallSustainedRiseAloneIsNotALeak() {
        var z = ZoneHarness()
        var t = z.quiet(from: t0, minutes: 60)
        for _ in 0..<240 {
            z.tick(t, inlet: Reading(score: 0.9, relative: 0.045))
            t += minute
        }
        #expect(z.opened.isEmpty)
    }

    /// The forecast has learnt the leak (the surprise is zero), but the minimum night flow
    /// rose from 40 to 46 m³/h on day 12: the second such night opens a leak dated from the first.
    @Test func raisedNightMinimumIsALeakTheForecastHasLearnt() throws {
        var z = ZoneHarness()
        let step = 15 * minute
        let leakDay = 12
        for i in 0..<(15 * 96) {
            let ts = t0 + Int64(i) * step
            let hourOfDay = Double(i % 96) / 4
            var flow = 70 - 30 * cos((hourOfDay - 3) / 24 * 2 * .pi)  // 40 at 03:00, 100 at 15:00
            if i / 96 >= leakDay { flow += 6 }
            z.feed(z.inlet, role: .inletFlow, at: ts, Reading(score: 0, anomalous: false, value: flow))
        }
        let leak = try #require(z.opened.first)
        #expect(z.opened.map(\.type) == [.leak])
        #expect(leak.startMs == t0 + Int64(leakDay) * 24 * hour + 2 * hour)
        // Opened when the second raised night ended (05:00 of the next day).
        #expect(z.changes.first!.ts == t0 + Int64(leakDay + 1) * 24 * hour + 5 * hour)
    }
}

extension SlowLeakTests {
    /// Three weeks of a zone's inflow at 30-minute steps (weekly shape, noise of 2 m³/h), a
    /// 10 m³/h leak from day 16 that the forecast has absorbed (surprise 0): after two
    /// weeks of learning, the zone inflow detector calls it (it raises at 4 spreads of its
    /// intercept, here about 8 m³/h), and nothing before it.
    @Test func theZoneInflowDetectorCallsALeakTheForecastAbsorbed() throws {
        var z = ZoneHarness()
        var rng = SeededGenerator(seed: 11)
        let step = 30 * minute
        let leakStep = 16 * 48
        for i in 0..<(21 * 48) {
            let hourOfDay = Double(i % 48) / 2
            let weekend = (i / 48) % 7 >= 5 ? 10.0 : 0
            var flow = 100 + 40 * sin((hourOfDay - 6) / 24 * 2 * .pi) + weekend + 2 * rng.nextGaussian()
            if i >= leakStep { flow += 10 }
            z.feed(z.inlet, role: .inletFlow, at: t0 + Int64(i) * step, Reading(score: 0, anomalous: false, value: flow))
        }
        let leakStart = t0 + Int64(leakStep) * step
        #expect(z.opened.map(\.type) == [.leak])
        let leak = try #require(z.opened.first)
        #expect(leak.startMs >= leakStart && leak.startMs <= leakStart + 24 * hour, "start \((leak.startMs - leakStart) / hour) h after the leak")
    }
}

/// A zone fed by a pump and a tank's pipe: when the pump starts, its flow jumps while the
/// tank's pipe falls by as much — water moving between inlets, not a burst.
@Suite struct TwoInletTests {
    @Test func aPumpStartingWhileTheTankPipeFallsIsNotABurst() {
        var detector = EventDetector()
        var opened: [DetectedEvent] = []
        func feed(_ id: String, _ ts: Int64, value: Double, forecast: Double, score: Double) {
            let p = ScoredPoint(
                sensorID: id, zone: "z", role: .inletFlow, tsMs: ts, value: value, forecastMean: forecast, score: score,
                anomalous: abs(score) > 1.5, warmedUp: true, flags: 0, modelVersion: "t",
                forecastLower: 0.9 * forecast, forecastUpper: 1.1 * forecast)
            for c in detector.observe(p) { if case .opened(let e) = c { opened.append(e) } }
        }
        var t = t0
        for _ in 0..<60 {
            feed("pump", t, value: 100, forecast: 100, score: 0)
            feed("tank", t, value: 100, forecast: 100, score: 0)
            t += minute
        }
        for _ in 0..<30 {
            feed("pump", t, value: 150, forecast: 100, score: 5)  // +50 %
            feed("tank", t, value: 50, forecast: 100, score: -5)  // −50 %
            t += minute
        }
        #expect(!opened.contains { $0.type == .burst || $0.type == .leak }, "\(opened.map(\.type))")
        // The same jump on the pump with the tank's pipe steady is a burst (after an hour
        // of normal flows, so the pump's average has settled).
        for _ in 0..<90 {
            feed("pump", t, value: 100, forecast: 100, score: 0)
            feed("tank", t, value: 100, forecast: 100, score: 0)
            t += minute
        }
        for _ in 0..<10 {
            feed("pump", t, value: 150, forecast: 100, score: 5)
            feed("tank", t, value: 100, forecast: 100, score: 0)
            t += minute
        }
        #expect(opened.contains { $0.type == .burst })
    }
}

@Suite struct ZoneInflowTrackerTests {
    /// One of two inlets falls silent: no step completes, and the waiting ones stay bounded.
    @Test func aSilentInletNeitherFeedsNorGrowsTheTracker() {
        var tracker = ZoneInflowTracker()
        for i in 0..<5_000 {
            #expect(tracker.add(sensorID: "inlet-1", tsMs: t0 + Int64(i) * minute, term: .inflow(100), members: 2) == nil)
        }
        #expect(tracker.pendingSteps == ZoneInflowTracker.maxPendingSteps)
        #expect(!tracker.isJudging)
    }
}

@Suite struct TwoSidedCUSUMTests {
    @Test func aOneSigmaShiftIsSignalledWithinTwentySteps() {
        var cusum = TwoSidedCUSUM(allowance: 0.5, threshold: 8)
        var steps = 0
        while cusum.observe(1) == nil { steps += 1 }
        #expect(steps == 15)  // 0.5 a step: 8 after 16 steps
        #expect(cusum.signal == .up)
        #expect(cusum.upperRun == 16)
        var down = TwoSidedCUSUM(allowance: 0.5, threshold: 8)
        for _ in 0..<16 { down.observe(-1) }
        #expect(down.signal == .down)
    }

    /// In-control noise: about one false signal in 9,000 steps (restarting after each).
    @Test func noiseSignalsRarelyAndOneWildValueNever() {
        var cusum = TwoSidedCUSUM(allowance: 0.5, threshold: 8)
        var rng = SeededGenerator(seed: 7)
        var signals = 0
        for _ in 0..<200_000 where cusum.observe(rng.nextGaussian()) != nil {
            signals += 1
            cusum.reset()
        }
        #expect(signals >= 10 && signals <= 50)
        cusum.reset()
        #expect(cusum.observe(1_000) == nil)  // clamped to 4: 3.5 of the 8 needed
        #expect(cusum.observe(.nan) == nil)
        #expect(cusum.upper == 3.5)
    }
}

@Suite struct NightFlowTrackerTests {
    /// Ten days at 40 m³/h a night (with a little noise), then 44 from day 10.
    static func nights(rise: Double, from day: Int, days: Int = 14) -> [NightFlowTracker.Night] {
        var tracker = NightFlowTracker()
        var rng = SeededGenerator(seed: 3)
        var ended: [NightFlowTracker.Night] = []
        for i in 0..<(days * 96) {
            let hourOfDay = Double(i % 96) / 4
            var flow = 70 - 30 * cos((hourOfDay - 3) / 24 * 2 * .pi) + 0.5 * rng.nextGaussian()
            if i / 96 >= day { flow += rise }
            if i % 96 == 14 { flow = 5 }  // one bad low reading at 03:30 every night
            if let night = tracker.observe(tsMs: t0 + Int64(i) * 15 * minute, flow: flow) { ended.append(night) }
        }
        return ended
    }

    @Test func aPersistentRiseIsFlaggedThenCalledALeak() {
        let nights = Self.nights(rise: 4, from: 10)
        #expect(nights.count == 14)
        #expect(nights.prefix(5).allSatisfy { $0.baseline == nil })  // too little history
        #expect(nights.prefix(10).allSatisfy { !$0.flagged })
        #expect(nights[10].flagged && !nights[10].leak)
        #expect(nights[11].leak && nights[12].leak)
        // The smoothing keeps the single low reading out: minima stay near 40.
        #expect(nights.prefix(10).allSatisfy { $0.minimum > 37 })
        #expect(abs(nights[11].rise! - 4) < 1.5)
    }

    @Test func noRiseNoFlags() {
        #expect(Self.nights(rise: 0, from: 0).allSatisfy { !$0.flagged })
    }

    @Test func nightWindowFollowsTheLocalOffset() {
        var config = NightFlowTracker.Config()
        config.utcOffsetHours = 2
        let tracker = NightFlowTracker(config: config)
        // 01:00 UTC is 03:00 local: inside; 03:30 UTC is 05:30 local: outside.
        #expect(tracker.nightStart(of: t0 + hour) == t0)
        #expect(tracker.nightStart(of: t0 + 3 * hour + 30 * minute) == nil)
    }
}
