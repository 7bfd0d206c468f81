import Testing
@testable import Detection

/// BattLeDIM's economic score on a hand-made case: two leaks on a line of pipes 100 m apart.
@Suite struct BattLeDIMScoreTests {
    static let step: Int64 = 300_000
    static let hour: Int64 = 3_600_000
    /// Pipes p0…p9 in a line, midpoints 100 m apart.
    static func distance(_ a: String, _ b: String) -> Double? {
        guard let i = Int(a.dropFirst()), let j = Int(b.dropFirst()) else { return nil }
        return Double(abs(i - j)) * 100
    }

    /// A 10-hour period; leak 0 at p2 (10 m³/h from hour 1 to its end), leak 1 at p8
    /// (20 m³/h from hour 5 to hour 8).
    static let rules = BattLeDIMScore.Rules(periodStartMs: 0, periodEndMs: 10 * hour)
    static let leaks = [
        BattLeDIMScore.Leak(pipe: "p2", startMs: hour, endMs: 20 * hour, flowM3h: (0..<120).map { $0 >= 12 ? 10 : 0 }),
        BattLeDIMScore.Leak(pipe: "p8", startMs: 5 * hour, endMs: 8 * hour, flowM3h: (0..<120).map { $0 >= 60 && $0 <= 96 ? 20 : 0 }),
    ]

    @Test func thePerfectScoreFindsEveryLeakAtItsStartOnItsPipe() {
        let perfect = BattLeDIMScore(
            detections: [.init(pipe: "p2", raisedMs: Self.hour), .init(pipe: "p8", raisedMs: 5 * Self.hour)],
            leaks: Self.leaks, rules: Self.rules, distance: Self.distance)
        // 0.8 €/m³ × (10 m³/h × 9 h to the period's end + 20 m³/h × 37 steps of 5 min).
        let expected: Double = 0.8 * (10 * 9 + 20 * 37.0 / 12)
        #expect(abs(perfect.perfectEuros - expected) < 1e-9)
        #expect(abs(perfect.fraction - 1) < 1e-12)
        #expect(perfect.found.map { $0.delayMs } == [0, 0])
    }

    @Test func lateAndFarDetectionsEarnLessAndMissesCost() {
        let score = BattLeDIMScore(
            detections: [
                .init(pipe: "p5", raisedMs: 30 * 60_000),  // before any leak: false positive
                .init(pipe: "p4", raisedMs: 3 * Self.hour + 100_000),  // 200 m from p2, put on the grid
                .init(pipe: "p2", raisedMs: 4 * Self.hour),  // p2 found already: a repeat
                .init(pipe: "p9", raisedMs: 6 * Self.hour),  // 100 m from p8
                .init(pipe: "p2", raisedMs: 11 * Self.hour),  // after the period: ignored
            ],
            leaks: Self.leaks, rules: Self.rules, distance: Self.distance)
        #expect(score.falsePositives == 1)
        #expect(score.repeats == 1)
        #expect(score.found.map { $0.leak } == [0, 1])
        #expect(score.found.map { $0.distanceM } == [200, 100])
        #expect(score.found.map { $0.delayMs } == [2 * Self.hour, Self.hour])
        let leak0: Double = 0.8 * 10 * 7 - 500 * 200 / 300.0
        let leak1: Double = 0.8 * 20 * 25.0 / 12 - 500 * 100 / 300.0
        #expect(abs(score.euros - (leak0 + leak1 - 500)) < 1e-9, "\(score.euros)")
    }

    @Test func aDetectionFarFromEveryLeakIsAFalsePositive() {
        let score = BattLeDIMScore(
            detections: [.init(pipe: "p6", raisedMs: 2 * Self.hour)], leaks: Self.leaks, rules: Self.rules, distance: Self.distance)
        #expect(score.falsePositives == 1 && score.found.isEmpty && score.euros == -500)
    }
}
