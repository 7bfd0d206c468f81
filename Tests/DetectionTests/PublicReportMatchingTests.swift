import Testing
@testable import Detection

@Suite struct GeoPointTests {
    @Test func distancesMatchKnownValues() {
        // One degree of latitude is about 111.2 km; Delft to The Hague about 8.7 km.
        #expect(abs(GeoPoint(lat: 52, lon: 4).metres(to: GeoPoint(lat: 53, lon: 4)) - 111_195) < 10)
        #expect(abs(GeoPoint(lat: 52.0116, lon: 4.3571).metres(to: GeoPoint(lat: 52.0705, lon: 4.3007)) - 7_650) < 100)
        #expect(GeoPoint(lat: 0, lon: 0).isValid == false && GeoPoint(lat: 91, lon: 4).isValid == false)
    }
}

@Suite struct ReportMatcherTests {
    let north = ReportMatcher.OpenEvent(eventID: "north-burst", zone: "north", places: [GeoPoint(lat: 52.0300, lon: 4.3570)])
    let south = ReportMatcher.OpenEvent(eventID: "south-leak", zone: "south", places: [GeoPoint(lat: 51.9950, lon: 4.3570)])
    let unplaced = ReportMatcher.OpenEvent(eventID: "east-leak", zone: "east", places: [])

    @Test func aPositionMatchesTheEventsWithinTheRadius() {
        let matcher = ReportMatcher(radiusMetres: 1000)
        #expect(matcher.match(position: GeoPoint(lat: 52.0305, lon: 4.3580), locality: "", events: [north, south]) == ["north-burst"])
        #expect(matcher.match(position: GeoPoint(lat: 52.0130, lon: 4.3570), locality: "", events: [north, south]).isEmpty)
        // A position says where: a zone named in the locality does not add a far event.
        #expect(matcher.match(position: GeoPoint(lat: 52.0305, lon: 4.3580), locality: "south", events: [north, south]) == ["north-burst"])
    }

    @Test func withoutAPositionTheLocalityNamesTheZone() {
        let matcher = ReportMatcher()
        #expect(matcher.match(position: nil, locality: "Near the North square", events: [north, south]) == ["north-burst"])
        #expect(matcher.match(position: nil, locality: "Northgate", events: [north, south]).isEmpty)
        #expect(matcher.match(position: nil, locality: "east", events: [unplaced]) == ["east-leak"])
        #expect(matcher.match(position: GeoPoint(lat: 52, lon: 4.3), locality: "east side", events: [unplaced]) == ["east-leak"])
    }
}

@Suite struct AreaPressureTests {
    @Test func theMedianOfFreshReadingsDecides() {
        let now: Int64 = 10_000_000
        #expect(AreaPressure.judge(readings: [(3.2, now), (3.0, now - 60_000)], nowMs: now) == .normal)
        #expect(AreaPressure.judge(readings: [(1.0, now), (1.2, now)], nowMs: now) == .low)
        // One sensor reading zero (a fault) does not call an outage.
        #expect(AreaPressure.judge(readings: [(0.0, now), (3.1, now), (3.0, now)], nowMs: now) == .normal)
        #expect(AreaPressure.judge(readings: [(0.1, now), (0.0, now), (3.0, now)], nowMs: now) == .outage)
        #expect(AreaPressure.judge(readings: [(3.0, now - 7_200_000)], nowMs: now) == .unknown)
        #expect(AreaPressure.judge(readings: [], nowMs: now) == .unknown)
        #expect(AreaPressure.outage.message.contains("interrupted"))
    }
}
