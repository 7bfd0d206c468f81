import Testing
import WaterlineBus
import WaterlineKit
import WaterlineProto

@Suite struct PublicReportRulesTests {
    func report(name: String = "Ann O'Neil", locality: String = "Kerkstraat 5, Delft", remark: String = "Water on the road") -> PublicReport {
        var r = PublicReport()
        r.name = name
        r.locality = locality
        r.remark = remark
        return r
    }

    func field(_ r: PublicReport) -> String? {
        do { try PublicReportRules.check(r); return nil } catch { return error.violations.first?.field }
    }

    @Test func aPlainReportPasses() {
        #expect(field(report()) == nil)
        #expect(field(report(name: "Zoë Müller-Łukasz", remark: "")) == nil)
        var placed = report()
        placed.positionGiven = true
        placed.lat = 52.01
        placed.lon = 4.36
        #expect(field(placed) == nil)
    }

    @Test func eachRuleNamesItsField() {
        #expect(field(report(name: "")) == "name")
        #expect(field(report(name: "   ")) == "name")
        #expect(field(report(name: "Robert'); DROP TABLE--<")) == "name")
        #expect(field(report(name: String(repeating: "a", count: 81))) == "name")
        #expect(field(report(locality: "")) == "locality")
        #expect(field(report(locality: "<script>")) == "locality")
        #expect(field(report(remark: "see <a href=x>")) == "remark")
        #expect(field(report(remark: "bell\u{7}")) == "remark")
        #expect(field(report(remark: String(repeating: "x", count: 1001))) == "remark")
        // One "character" carrying thousands of combining accents is refused, not counted as one.
        #expect(field(report(name: "a" + String(repeating: "\u{301}", count: 5000))) == "name")
        #expect(field(report(locality: "e" + String(repeating: "\u{301}", count: 10))) == "locality")
        var placed = report()
        placed.positionGiven = true
        placed.lat = 95
        #expect(field(placed) == "lat")
        placed.lat = 52
        placed.lon = .nan
        #expect(field(placed) == "lon")
    }
}
