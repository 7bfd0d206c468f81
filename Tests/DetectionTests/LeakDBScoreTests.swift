import Detection
import Foundation
import Testing

@Suite struct LeakDBScoreTests {
    @Test func countsAndRatesFollowTheDefinitions() {
        var score = LeakDBScore()
        // 10 steps, leak on steps 4..<8; alarms on 5, 6, 7, 8 and a false one at 1.
        let labels = (0..<10).map { (4..<8).contains($0) }
        let alarms = (0..<10).map { [1, 5, 6, 7, 8].contains($0) }
        score.add(labels: labels, alarms: alarms, leakWindows: [4..<8])
        #expect(score.truePositives == 3 && score.falsePositives == 2 && score.falseNegatives == 1 && score.trueNegatives == 4)
        #expect(abs(score.f1 - 6.0 / 9.0) < 1e-12)
        #expect(abs(score.truePositiveRate - 0.75) < 1e-12)
        #expect(abs(score.trueNegativeRate - 4.0 / 6.0) < 1e-12)
        // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (12 − 2) / √(5·4·6·5)
        let denominator: Double = 600
        let mcc: Double = 10 / denominator.squareRoot()
        #expect(abs(score.matthews - mcc) < 1e-12)
    }

    @Test func earlyDetectionRewardsAnAlarmAtTheStartAndRequiresItToLast() {
        let n = 40
        let leak = 10..<20  // window: 10..<30, tw = 20
        let fromStart = (0..<n).map { (10..<30).contains($0) }
        #expect(abs(LeakDBScore.earlyDetection(alarms: fromStart, leak: leak) - 1) < 1e-12)
        let late = (0..<n).map { (14..<30).contains($0) }
        #expect(abs(LeakDBScore.earlyDetection(alarms: late, leak: leak) - 2 / (1 + exp(5 * 4.0 / 20))) < 1e-12)
        // An alarm at the start that does not last: under 75% of the steps from it on.
        let flicker = (0..<n).map { (10..<14).contains($0) }
        #expect(LeakDBScore.earlyDetection(alarms: flicker, leak: leak) == 0)
        #expect(LeakDBScore.earlyDetection(alarms: Array(repeating: false, count: n), leak: leak) == 0)
        var score = LeakDBScore()
        score.add(labels: fromStart, alarms: fromStart, leakWindows: [leak])
        score.add(labels: fromStart, alarms: Array(repeating: false, count: n), leakWindows: [leak])
        #expect(abs(score.earlyDetection - 50) < 1e-9)
    }
}

@Suite struct MinimumNightFlowBaselineTests {
    @Test func alarmsWholeDaysWhoseMinimumRisesAndKeepsTheReferenceWhileAlarmed() {
        // 20 days of 4 steps; the minimum is 10 until day 14, then 12 (a 20% rise).
        let inflow: [Double?] = (0..<80).map { i in
            let day = i / 4
            return (day >= 14 ? 12 : 10) + Double(i % 4) * 5
        }
        let alarms = MinimumNightFlowBaseline(windowDays: 10, gamma: 0.1).alarms(inflow: inflow, stepsPerDay: 4)
        #expect(alarms.prefix(56).allSatisfy { !$0 })
        #expect(alarms.suffix(24).allSatisfy { $0 })
    }
}
