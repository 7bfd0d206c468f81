import Detection
import Foundation
import Testing

/// A zone's inflow made of a weekly demand shape times a slowly drifting level, with
/// noise, and leaks added at known times.
@Suite struct InflowLeakDetectorTests {
    static let stepMs: Int64 = 1_800_000
    static let perDay = 48

    /// Deterministic standard normal noise (an LCG and Box–Muller), the same every run.
    struct Noise {
        var state: UInt64 = 12345
        mutating func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / Double(1 << 53)
        }
        mutating func next() -> Double {
            (-2 * log(uniform())).squareRoot() * cos(2 * .pi * uniform())
        }
    }

    static func inflow(days: Int, leak: (Int) -> Double) -> [Double] {
        var noise = Noise()
        return (0..<(days * perDay)).map { i in
            let hour = Double(i % perDay) / 2
            let weekday = (i / perDay) % 7
            let daily = 1 + 0.6 * sin((hour - 6) / 24 * 2 * .pi) + (weekday >= 5 ? 0.1 : 0)
            let level = 200 * (1 + 0.2 * sin(Double(i) / Double(perDay * 365) * 2 * .pi))
            return level * daily * (1 + 0.015 * noise.next()) + leak(i)
        }
    }

    static func run(_ inflow: [Double]) -> [InflowLeakDetector.Verdict?] {
        var detector = InflowLeakDetector(config: .init(stepMs: stepMs))
        return inflow.enumerated().map { i, q in detector.observe(tsMs: Int64(i) * stepMs, inflow: q) }
    }

    @Test func quietWithoutALeak() {
        let verdicts = Self.run(Self.inflow(days: 120) { _ in 0 })
        #expect(verdicts.compactMap { $0 }.count > 100 * Self.perDay)
        let firstAlarm = verdicts.firstIndex { $0?.alarmed == true }
        #expect(firstAlarm == nil)
    }

    /// Found within half a day (the demand-shape fit runs over a day's window), alarmed
    /// for as long as it lasts, and its size measured.
    @Test func anAbruptLeakAlarmsWithinHoursForItsWholeLengthThenClears() {
        let start = 40 * Self.perDay
        let end = 80 * Self.perDay
        let verdicts = Self.run(Self.inflow(days: 120) { (start..<end).contains($0) ? 20 : 0 })
        let alarmed = verdicts.map { $0?.alarmed == true }
        let found = alarmed.firstIndex(of: true)
        #expect(found != nil, "the leak was never found")
        guard let first = found else { return }
        #expect(first >= start && first < start + 24, "first alarm \(first - start) steps after the leak")
        #expect(alarmed[(start + 24)..<end].allSatisfy { $0 })
        #expect(alarmed[(end + 2 * Self.perDay)...].allSatisfy { !$0 }, "the alarm clears once the leak is repaired")
        // The leak's size (20 on a ~220 inflow): a constant leak is the intercept exactly;
        // the excess over the level from before the alarm drifts with demand's level (+5 %
        // over these 40 days).
        let window = verdicts[(start + Self.perDay)..<end].compactMap { $0 }
        let intercept = window.reduce(0) { $0 + $1.excess } / Double(window.count)
        let overLevel = window.reduce(0) { $0 + $1.excessOverLevel } / Double(window.count)
        #expect(abs(intercept - 20) < 2, "mean intercept excess \(intercept)")
        #expect(abs(overLevel - 20) < 10, "mean excess over the level \(overLevel)")
    }

    @Test func aLeakGrowingOverWeeksIsNotLearntAsNormal() {
        let start = 40 * Self.perDay
        let growth = 30 * Self.perDay
        let verdicts = Self.run(Self.inflow(days: 120) { i in
            i < start ? 0 : 20 * min(1, Double(i - start) / Double(growth))
        })
        let alarmed = verdicts.map { $0?.alarmed == true }
        let found = alarmed.firstIndex(of: true)
        #expect(found != nil, "the growing leak was never found")
        guard let first = found else { return }
        #expect(first < start + growth / 2, "found \(Double(first - start) / 48) days into the growth")
        #expect(alarmed[(start + growth)...].allSatisfy { $0 }, "once grown, the leak stays alarmed")
    }
}
