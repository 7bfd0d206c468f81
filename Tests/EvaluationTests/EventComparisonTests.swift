import Testing
import WaterlineCLI

/// Events of the running services against an in-process run: matched by type, zone and
/// start, and equal only when severity (two decimals) and summary agree too.
@Suite struct EventComparisonTests {
    func event(_ type: String, _ zone: String, _ startMs: Int64, severity: Double = 0.5, summary: String = "s") -> FoundEvent {
        FoundEvent(id: "\(type)-\(zone)-\(startMs)", type: type, zone: zone, sensorIDs: [], startMs: startMs, severity: severity, summary: summary)
    }

    @Test func equalRunsCompareEqual() {
        let a = [event("leak", "A", 1), event("burst", "C", 2), event("burst", "C", 2)]
        let comparison = EventComparison(a, a.reversed())
        #expect(comparison.equal && comparison.matched == 3)
        #expect(comparison.report(first: "x", second: "y") == ["3 events equal; 0 only x, 0 only y, 0 differ"])
    }

    @Test func everyDifferenceIsReportedOnItsOwn() {
        let first = [event("leak", "A", 1), event("burst", "C", 2, severity: 0.91), event("tank_anomaly", "C", 3, summary: "+5%"), event("leak", "A", 9)]
        let second = [event("leak", "A", 1), event("burst", "C", 2, severity: 0.914), event("tank_anomaly", "C", 3, summary: "+6%"), event("leak", "B", 9), event("burst", "C", 2)]
        let comparison = EventComparison(first, second)
        #expect(!comparison.equal)
        #expect(comparison.matched == 2)
        #expect(comparison.onlyFirst.map(\.zone) == ["A"] && comparison.onlyFirst.map(\.startMs) == [9])
        // The second burst at the same start has no partner: one event too many.
        #expect(comparison.onlySecond.map(\.zone) == ["C", "B"])
        #expect(comparison.differing.count == 1 && comparison.differing[0].second.summary == "+6%")
        let report = comparison.report(first: "in-process", second: "services")
        #expect(report.last == "2 events equal; 1 only in-process, 2 only services, 1 differ")
        #expect(report.count == 1 + 2 + 2 + 1)
    }
}
