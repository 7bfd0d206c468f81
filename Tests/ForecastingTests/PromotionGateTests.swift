import Forecasting
import Testing

@Suite struct PromotionGateTests {
    private func scores(crps: Double, coverage: Double, points: Int = 500) -> HoldoutEvaluation.Scores {
        var s = HoldoutEvaluation.Scores()
        s.scaledCRPS = crps
        s.coverage90 = coverage
        s.points = points
        return s
    }

    @Test func aBetterCalibratedCandidateIsPromoted() {
        let d = PromotionGate().decide(candidate: scores(crps: 0.009, coverage: 0.9), incumbent: scores(crps: 0.01, coverage: 0.9), incumbentName: "production")
        #expect(d.promotes)
        #expect(d.reason.contains("0.9"))
    }

    @Test func aWorseOrBarelyBetterCandidateIsArchived() {
        let gate = PromotionGate()
        let worse = gate.decide(candidate: scores(crps: 0.011, coverage: 0.9), incumbent: scores(crps: 0.01, coverage: 0.9), incumbentName: "production")
        #expect(!worse.promotes)
        #expect(worse.reason.contains("production"))
        let barely = gate.decide(candidate: scores(crps: 0.0099, coverage: 0.9), incumbent: scores(crps: 0.01, coverage: 0.9), incumbentName: "production")
        #expect(!barely.promotes)  // 1% better: under the 2% the gate asks for
    }

    @Test func aMiscalibratedOrThinlyTestedCandidateIsArchived() {
        let gate = PromotionGate()
        #expect(!gate.decide(candidate: scores(crps: 0.005, coverage: 0.99), incumbent: scores(crps: 0.01, coverage: 0.9), incumbentName: "baseline").promotes)
        #expect(!gate.decide(candidate: scores(crps: 0.005, coverage: 0.7), incumbent: scores(crps: 0.01, coverage: 0.9), incumbentName: "baseline").promotes)
        #expect(!gate.decide(candidate: scores(crps: 0.005, coverage: 0.9, points: 10), incumbent: scores(crps: 0.01, coverage: 0.9), incumbentName: "baseline").promotes)
        #expect(!gate.decide(candidate: scores(crps: .nan, coverage: 0.9), incumbent: scores(crps: 0.01, coverage: 0.9), incumbentName: "baseline").promotes)
    }
}
