import Foundation
import Simulation
import Testing
@testable import Detection

/// Abrupt rises of a zone's balance residual (leakage + noise) at 5-minute steps.
@Suite struct BalanceStepDetectorTests {
    static let step: Int64 = 300_000

    /// Days of inflows: a daily demand shape at level 130 m³/h, noise σ 3 m³/h, and leakage
    /// `base(i)` on top.
    static func run(days: Int, seed: UInt64 = 3, base: (Int) -> Double) -> [BalanceStepDetector.Rise] {
        var detector = BalanceStepDetector(config: .init(stepMs: step))
        var rng = SeededGenerator(seed: seed)
        var rises: [BalanceStepDetector.Rise] = []
        for i in 0..<(days * 288) {
            let phase: Double = Double(i % 288) / 288 * 2 * Double.pi
            let shape: Double = 1 + 0.5 * sin(phase)
            let noise: Double = 3 * rng.nextGaussian()
            let inflow: Double = 130 * shape + base(i) + noise
            if let r = detector.observe(tsMs: Int64(i) * step, inflow: inflow, shape: shape, level: 130) {
                rises.append(r)
            }
        }
        return rises
    }

    @Test func aBurstOnTopOfARunningLeakIsFoundWithinTheHour() throws {
        // A leak of 12 m³/h runs throughout; a 28 m³/h burst joins it on day 5 at 15:45.
        let burstAt = 5 * 288 + 189
        let rises = Self.run(days: 8) { i in 12 + (i >= burstAt ? 28 : 0) }
        #expect(rises.count == 1, "\(rises)")
        let rise = try #require(rises.first)
        let start = Int64(burstAt) * Self.step
        #expect(rise.sinceMs >= start - 3_600_000 && rise.sinceMs <= start + 3_600_000, "since \(rise.sinceMs), burst \(start)")
        #expect(abs(rise.size - 28) < 10, "size \(rise.size)")
    }

    @Test func aLeakGrowingOverDaysAndNoiseAreNoRise() {
        // 0 to 40 m³/h over ten days: 0.17 m³/h an hour, far below a burst's step.
        #expect(Self.run(days: 12) { i in min(40, Double(i) * 40 / (10 * 288)) }.isEmpty)
        #expect(Self.run(days: 12, seed: 9) { _ in 5 }.isEmpty)
    }

    @Test func aDropIsNoRise() {
        #expect(Self.run(days: 8) { i in i >= 5 * 288 ? 0 : 30 }.isEmpty)
    }
}
