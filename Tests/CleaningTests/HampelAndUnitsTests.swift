import Cleaning
import Simulation
import Testing

@Suite struct HampelFilterTests {
    /// A noisy sine with spikes at known positions.
    private func series(count: Int, spikes: Set<Int>, seed: UInt64) -> [Double] {
        var rng = SeededGenerator(seed: seed)
        return (0..<count).map { i in
            let base = 4 + 0.5 * Double(i % 60) / 60 + 0.01 * rng.nextGaussian()
            return spikes.contains(i) ? base + 1.5 : base
        }
    }

    @Test func flagsExactlyTheInjectedSpikes() {
        let spikes: Set<Int> = [10, 45, 46, 200, 371]
        var filter = HampelFilter(halfWidth: 3, threshold: 3)
        var decisions: [HampelFilter.Decision] = []
        for v in series(count: 400, spikes: spikes, seed: 1) {
            if let d = filter.push(v) { decisions.append(d) }
        }
        decisions += filter.drain()
        #expect(decisions.count == 400)
        let flagged = Set(decisions.indices.filter { decisions[$0].spike })
        #expect(flagged == spikes)
    }

    @Test func aSpikeIsReplacedByTheWindowMedian() {
        var filter = HampelFilter(halfWidth: 2, threshold: 3)
        let values = [1.0, 1.1, 9.0, 1.2, 1.0]
        let decisions = values.compactMap { filter.push($0) }
        // Five pushes with a half-width of 2: decisions for the first three values.
        #expect(decisions.count == 3)
        #expect(decisions.map(\.spike) == [false, false, true])
        #expect(decisions[2].median == 1.1)
    }

    @Test func aFlatSignalWithATinyStepIsNotASpike() {
        var filter = HampelFilter(halfWidth: 3, threshold: 3, minScale: 0.01)
        let values = Array(repeating: 2.0, count: 10) + [2.001] + Array(repeating: 2.0, count: 10)
        var all = values.compactMap { filter.push($0) }
        all += filter.drain()
        #expect(all.count == values.count)
        #expect(all.allSatisfy { !$0.spike })
    }

    @Test func missingValuesAreSkippedNotInvented() {
        var filter = HampelFilter(halfWidth: 2, threshold: 3)
        let values: [Double?] = [1, nil, 1.1, 8, 1.05, nil, 1]
        var all = values.compactMap { filter.push($0) }
        all += filter.drain()
        #expect(all.map(\.value) == values)
        #expect(all.filter(\.spike).map(\.value) == [8])
        #expect(all.filter { $0.value == nil }.allSatisfy { !$0.spike })
    }
}

@Suite struct UnitsTests {
    private func convert(_ value: Double, _ unit: String, _ kind: Units.Kind, height: Double? = nil) -> Double? {
        Units.converter(from: unit, kind: kind, tankHeightM: height).map { $0(value) }
    }

    @Test func pressureUnitsConvertToBar() throws {
        #expect(convert(350, "kPa", .pressure) == 3.5)
        let psi = try #require(convert(14.503_773_8, "psi", .pressure))
        #expect(abs(psi - 1) < 1e-6)
        let head = try #require(convert(10.197_162, "m", .pressure))
        #expect(abs(head - 1) < 1e-6)
        #expect(Units.canonical(.pressure) == "bar")
    }

    @Test func flowUnitsConvertToCubicMetresPerHour() throws {
        #expect(convert(10, "L/s", .flow) == 36)
        let gpm = try #require(convert(100, "gpm", .flow))
        #expect(abs(gpm - 22.712_470_7) < 1e-6)
        #expect(convert(5, "m3/h", .flow) == 5)
    }

    @Test func levelInPercentNeedsTheTankHeight() {
        #expect(convert(50, "%", .level) == nil)
        #expect(convert(50, "%", .level, height: 8) == 4)
    }

    @Test func unknownUnitsAreRefused() {
        #expect(convert(1, "furlongs", .level) == nil)
        #expect(convert(1, "bar", .flow) == nil)
        #expect(convert(1, "L/s", .pressure) == nil)
    }
}
