import Testing
@testable import Simulation

@Suite struct DeterminismTests {
    @Test func sameSeedGivesTheSameScenario() {
        let config = SimulationConfig(days: 3, seed: 7)
        let first = Simulator.run(config)
        let second = Simulator.run(config)
        #expect(first.readings == second.readings)
        #expect(first == second)
    }

    @Test func differentSeedGivesDifferentReadings() {
        let a = Simulator.run(SimulationConfig(days: 3, seed: 1))
        let b = Simulator.run(SimulationConfig(days: 3, seed: 2))
        #expect(a.sensors.map(\.sensorId) == b.sensors.map(\.sensorId))
        #expect(a.readings != b.readings)
    }

    @Test func generatorRepeatsItsSequenceForASeed() {
        var a = SeededGenerator(seed: 42)
        var b = SeededGenerator(seed: 42)
        var c = SeededGenerator(seed: 42, stream: 1)
        let first = (0..<16).map { _ in a.next() }
        #expect(first == (0..<16).map { _ in b.next() })
        #expect(first != (0..<16).map { _ in c.next() })
    }

    @Test func generatorDrawsStayInRange() {
        var rng = SeededGenerator(seed: 3)
        let units = (0..<10_000).map { _ in rng.nextUnit() }
        let ints = (0..<10_000).map { _ in rng.nextInt(below: 7) }
        let gaussians = (0..<10_000).map { _ in rng.nextGaussian() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(Set(ints) == Set(0..<7))
        let mean = gaussians.reduce(0, +) / 10_000
        let variance = gaussians.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 10_000
        #expect(abs(mean) < 0.05)
        #expect(abs(variance - 1) < 0.05)
    }
}
