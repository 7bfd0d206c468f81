import Testing
@testable import Detection

private let minute: Int64 = 60_000
private let hour: Int64 = 60 * minute

private func point(_ sensor: String, zone: String = "north", at ts: Int64, score: Double = 0) -> ScoredPoint {
    ScoredPoint(
        sensorID: sensor, zone: zone, role: .pressure, tsMs: ts, value: 50, forecastMean: 50, score: score,
        anomalous: false, warmedUp: true, flags: 0, modelVersion: "test")
}

private func keys(_ points: [ScoredPoint]) -> [String] { points.map { "\($0.zone)/\($0.sensorID)@\($0.tsMs / minute)" } }

/// A deterministic shuffle (a linear congruential generator), so a failure is repeatable.
private struct Shuffler: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }
}

@Suite struct ZoneSlotGateTests {
    let sensors = ["a", "b", "c"]

    func gate() -> ZoneSlotGate {
        var g = ZoneSlotGate(latenessMs: hour)
        for s in sensors { g.register(sensorID: s, zone: "north") }
        g.register(sensorID: "x", zone: "south")
        return g
    }

    /// Three sensors in one zone and one in another, a point per minute for two hours.
    func stream() -> [ScoredPoint] {
        (0..<120).flatMap { m in sensors.map { point($0, at: Int64(m) * minute) } + [point("x", zone: "south", at: Int64(m) * minute)] }
    }

    @Test func releasesASlotOnlyOnceEveryLiveSensorHasReportedIt() {
        var g = gate()
        #expect(g.add(point("a", at: 0)) == .held)
        #expect(g.add(point("b", at: 0)) == .held)
        #expect(g.release().isEmpty, "c has not reported minute 0")
        #expect(g.add(point("a", at: minute)) == .held)
        #expect(g.add(point("c", at: 0)) == .held)
        #expect(keys(g.release()) == ["north/a@0", "north/b@0", "north/c@0"])
        #expect(g.frontierMs(zone: "north") == 0)
        #expect(g.heldCount == 1, "a's minute 1 waits for b and c")
    }

    @Test func sameOrderHoweverPointsAreBatchedOrInterleaved() {
        var reference = gate()
        for p in stream() { _ = reference.add(p) }
        let expected = keys(reference.release() + reference.releaseAll())
        #expect(expected.count == 480)
        // Zones are judged apart: the order that matters is each zone's own.
        func byZone(_ keys: [String]) -> [String: [String]] { Dictionary(grouping: keys) { String($0.prefix { $0 != "/" }) } }

        for seed in 1...20 {
            var rng = Shuffler(state: UInt64(seed))
            // Each sensor's points in order, sensors out of step by up to 50 minutes, and
            // batches of random size.
            var bySensor = Dictionary(grouping: stream(), by: \.sensorID).mapValues { $0[...] }
            var arrival: [ScoredPoint] = []
            while bySensor.values.contains(where: { !$0.isEmpty }) {
                let id = bySensor.keys.sorted()[Int.random(in: 0..<bySensor.count, using: &rng)]
                let lead = bySensor.values.compactMap(\.first?.tsMs).min() ?? 0
                guard let next = bySensor[id]!.first, next.tsMs - lead < 50 * minute else { continue }
                arrival.append(bySensor[id]!.removeFirst())
            }
            var g = gate()
            var released: [ScoredPoint] = []
            var i = 0
            while i < arrival.count {
                let size = Int.random(in: 1...40, using: &rng)
                for p in arrival[i..<min(i + size, arrival.count)] { #expect(g.add(p) == .held) }
                released += g.release()
                i += size
            }
            released += g.releaseAll()
            let got = byZone(keys(released))
            #expect(got == byZone(expected), "seed \(seed)")
        }
    }

    @Test func aQuietSensorHoldsItsZoneBackForTheLatenessOnly() {
        var g = gate()
        for m in 0..<10 { for s in sensors { _ = g.add(point(s, at: Int64(m) * minute)) } }
        _ = g.release()
        #expect(g.frontierMs(zone: "north") == 9 * minute)
        // c goes quiet; a and b go on.
        var released: [ScoredPoint] = []
        for m in 10..<200 {
            for s in ["a", "b"] { _ = g.add(point(s, at: Int64(m) * minute)) }
            released += g.release()
        }
        // c's newest (minute 9) is beyond the hour's lateness: the zone runs again on a and
        // b, up to their newest point.
        #expect(g.frontierMs(zone: "north") == 199 * minute)
        #expect(released.count == 2 * 190)
        // c's late points were judged without: they are behind the frontier.
        #expect(g.add(point("c", at: 10 * minute)) == .behind(frontierMs: 199 * minute))
    }

    @Test func aRegisteredSensorThatNeverReportedIsWaitedForTheLatenessOnly() {
        var g = ZoneSlotGate(latenessMs: hour)
        g.register(sensorID: "a", zone: "north")
        g.register(sensorID: "silent", zone: "north")
        var released: [ScoredPoint] = []
        for m in 0..<60 {
            _ = g.add(point("a", at: Int64(m) * minute))
            released += g.release()
        }
        #expect(released.isEmpty, "within the lateness, silent may still report")
        _ = g.add(point("a", at: 60 * minute))
        released += g.release()
        #expect(keys(released) == (0...60).map { "north/a@\($0)" })
    }

    @Test func duplicatesAndPointsBehindTheFrontierAreNotReleasedAgain() {
        var g = gate()
        for s in sensors { _ = g.add(point(s, at: 0)) }
        #expect(g.add(point("a", at: 0)) == .duplicate)
        #expect(g.release().count == 3)
        #expect(g.add(point("b", at: 0)) == .behind(frontierMs: 0))
        #expect(g.release().isEmpty)
    }

    @Test func zonesAreJudgedApart() {
        var g = gate()
        _ = g.add(point("x", zone: "south", at: 0))
        _ = g.add(point("a", at: 0))
        // south has one sensor and it reported: released; north waits for b and c.
        #expect(keys(g.release()) == ["south/x@0"])
    }

    @Test func aForgottenZoneStartsAgainAndKeepsItsMembers() {
        var g = gate()
        for m in 0..<3 { for s in sensors { _ = g.add(point(s, at: Int64(m) * minute)) } }
        #expect(g.release().count == 9)
        g.forget(zones: ["north"])
        #expect(g.frontierMs(zone: "north") == nil)
        // Replayed from an earlier time, the zone is judged again, still waiting for all three.
        _ = g.add(point("a", at: minute))
        _ = g.add(point("b", at: minute))
        #expect(g.release().isEmpty)
        _ = g.add(point("c", at: minute))
        #expect(g.release().count == 3)
    }

    @Test func aSensorThatMovesZonesLeavesTheOldOne() {
        var g = gate()
        g.register(sensorID: "c", zone: "south")
        _ = g.add(point("a", at: 0))
        _ = g.add(point("b", at: 0))
        #expect(keys(g.release()) == ["north/a@0", "north/b@0"])
    }
}
