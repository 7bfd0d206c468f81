import Detection
import Foundation
import Simulation
import Testing

@Suite struct MultivariateShiftDetectorTests {
    /// Two correlated sensors and one independent, with deterministic noise.
    static func rows(_ n: Int, shiftFrom: Int? = nil, seed: UInt64 = 7) -> [[Double]] {
        var rng = SeededGenerator(seed: seed)
        func noise() -> Double { rng.nextUnit() - 0.5 }
        return (0..<n).map { i in
            let common = noise()
            let shift = shiftFrom.map { i >= $0 ? 1.0 : 0 } ?? 0
            // A shift that breaks the correlation: sensor b moves against a.
            return [10 + common + 0.1 * noise(), 5 + common + 0.1 * noise() - 0.5 * shift, 2 + noise()]
        }
    }

    @Test func staysQuietOnTheStateItWasFittedOn() throws {
        var detector = try #require(MultivariateShiftDetector(fitting: Self.rows(400)))
        let alarms = Self.rows(2000, seed: 99).map { detector.observe($0).alarmed }
        #expect(alarms.filter { $0 }.count == 0)
    }

    @Test func alarmsOnABrokenCorrelationThatNoSingleSensorShowsAlone() throws {
        var detector = try #require(MultivariateShiftDetector(fitting: Self.rows(400)))
        let test = Self.rows(1000, shiftFrom: 500, seed: 99)
        let alarms = test.map { detector.observe($0).alarmed }
        #expect(alarms[..<500].allSatisfy { !$0 })
        #expect(alarms[560...].allSatisfy { $0 })
        // Most of sensor b's shifted values stay inside the range it had while fitting:
        // alone it would hardly be noticed; against sensor a it is plain.
        let fitted = Self.rows(400).map { $0[1] }
        let inside = test[500...].map { $0[1] }.filter { $0 >= fitted.min()! && $0 <= fitted.max()! }.count
        #expect(inside > 250)
    }

    @Test func refusesTooFewRows() {
        #expect(MultivariateShiftDetector(fitting: Self.rows(5)) == nil)
    }
}
