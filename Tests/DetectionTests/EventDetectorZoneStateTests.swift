import Foundation
import Simulation
import Testing
@testable import Detection

private let minute: Int64 = 60_000
private let hour: Int64 = 60 * minute
private let t0: Int64 = 1_704_067_200_000
private let step = 30 * minute

/// Three weeks of two zones at 30-minute steps: north (an inlet with a weekly demand
/// shape, two pressure sensors) gets a 10 m³/h leak from day 16 that the forecast absorbed,
/// south (one inlet) a burst on day 17 and a silent pressure sensor on day 18.
private func scenario() -> [ScoredPoint] {
    var rng = SeededGenerator(seed: 5)
    var points: [ScoredPoint] = []
    for i in 0..<(21 * 48) {
        let ts = t0 + Int64(i) * step
        let hourOfDay = Double(i % 48) / 2
        let weekend = (i / 48) % 7 >= 5 ? 10.0 : 0
        var north = 100 + 40 * sin((hourOfDay - 6) / 24 * 2 * .pi) + weekend + 2 * rng.nextGaussian()
        if i >= 16 * 48 { north += 10 }
        points.append(flow("north-inlet", "north", ts, value: north, forecast: north, score: 0))
        for p in ["north-p1", "north-p2"] {
            let noise = rng.nextDouble(in: -0.9...0.9)
            points.append(pressure(p, "north", ts, score: noise, gap: false))
        }
        let burst = i >= 17 * 48 && i < 17 * 48 + 12
        points.append(flow("south-inlet", "south", ts, value: burst ? 140 : 80, forecast: 80, score: burst ? 6 : rng.nextDouble(in: -0.5...0.5)))
        points.append(pressure("south-p1", "south", ts, score: 0, gap: i >= 18 * 48 && i < 18 * 48 + 10))
    }
    return points
}

private func flow(_ id: String, _ zone: String, _ ts: Int64, value: Double, forecast: Double, score: Double) -> ScoredPoint {
    ScoredPoint(
        sensorID: id, zone: zone, role: .inletFlow, tsMs: ts, value: value, forecastMean: forecast, score: score,
        anomalous: abs(score) > 1.5, warmedUp: true, flags: 0, modelVersion: "t",
        forecastLower: 0.9 * forecast, forecastUpper: 1.1 * forecast)
}

private func pressure(_ id: String, _ zone: String, _ ts: Int64, score: Double, gap: Bool) -> ScoredPoint {
    ScoredPoint(
        sensorID: id, zone: zone, role: .pressure, tsMs: ts, value: gap ? nil : 50 + score, forecastMean: 50, score: score,
        anomalous: abs(score) > 1.5, warmedUp: true, flags: gap ? 4 : 0, modelVersion: "t",
        forecastLower: 49, forecastUpper: 51)
}

private func feed(_ detector: inout EventDetector, _ points: some Sequence<ScoredPoint>) -> [DetectionChange] {
    points.flatMap { detector.observe($0) }
}

@Suite struct EventDetectorZoneStateTests {
    /// The state that makes the restart question hard: two weeks of learning in the zone
    /// inflow detector, a CUSUM, night flows, and events open at the cut.
    @Test func aZoneRestoredFromItsEncodedStateGoesOnAsIfNothingHappened() throws {
        let points = scenario()
        let cut = points.firstIndex { $0.tsMs >= t0 + 17 * 24 * hour + 3 * hour }!  // during the south burst
        var undisturbed = EventDetector()
        let early = feed(&undisturbed, points[..<cut])
        // (Called by the zone's balance, which judges by then: a burst once the balance's
        // rise is confirmed, a leak until then.)
        #expect(undisturbed.openEvents.contains { ($0.type == .burst || $0.type == .leak) && $0.zone == "south" }, "the burst is open at the cut")

        // Saved and restored, zone by zone, through the bytes a checkpoint would keep.
        var restored = EventDetector()
        for zone in undisturbed.zones {
            let bytes = try undisturbed.state(ofZone: zone).encoded()
            restored.restore(try EventDetector.ZoneState(encoded: bytes))
        }
        let after = feed(&undisturbed, points[cut...])
        let resumed = feed(&restored, points[cut...])
        #expect(resumed == after)
        #expect((early + after).contains { $0.event.type == .leak && $0.event.zone == "north" }, "the learnt zone called its leak")
        #expect(after.contains { $0.event.type == .dataGap }, "something happened after the cut")
        for zone in ["north", "south"] {
            #expect(try restored.state(ofZone: zone).encoded() == undisturbed.state(ofZone: zone).encoded())
        }
    }

    @Test func aZoneStateHoldsOnlyItsZone() throws {
        var detector = EventDetector()
        _ = feed(&detector, scenario().prefix(48 * 5))
        let north = detector.state(ofZone: "north")
        #expect(Set(north.members.map(\.id)) == ["north-inlet", "north-p1", "north-p2"])
        #expect(north.sensors.keys.allSatisfy { $0.hasPrefix("north-") })
        #expect(north.open.values.allSatisfy { $0.zone == "north" })

        // Forgotten, the zone starts afresh; the other keeps its state.
        let south = try detector.state(ofZone: "south").encoded()
        detector.forget(zone: "north")
        #expect(detector.zones == ["south"])
        #expect(try detector.state(ofZone: "south").encoded() == south)
        detector.restore(north)
        #expect(detector.zones == ["north", "south"])
        #expect(try detector.state(ofZone: "north").encoded() == north.encoded())
    }

    @Test func aCUSUMTurnedOffSurvivesEncoding() throws {
        var config = EventDetector.Config()
        config.cusumThreshold = .infinity
        var detector = EventDetector(config: config)
        _ = feed(&detector, scenario().prefix(100))
        let state = detector.state(ofZone: "north")
        let decoded = try EventDetector.ZoneState(encoded: try state.encoded())
        #expect(try decoded.encoded() == state.encoded())
        #expect(decoded.sensors["north-p1"]?.cusum.threshold == .infinity)
    }
}
