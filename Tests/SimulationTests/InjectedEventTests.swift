import Testing
@testable import Simulation

@Suite struct InjectedEventTests {
    let scenario = Fixture.week

    private func inletSeries(of zone: String?) throws -> [Int64: Double] {
        let zone = try #require(scenario.meta.zones.first { $0.id == zone })
        return Fixture.series(zone.inletSensors[0])
    }

    @Test func burstRaisesInletFlowOverTheDayBefore() throws {
        let burst = try #require(Fixture.label("burst"))
        let flow = try inletSeries(of: burst.zone)
        let during = Fixture.mean(flow, from: burst.startMs, to: burst.endMs)
        let dayBefore = Fixture.mean(flow, from: burst.startMs - Fixture.dayMs, to: burst.endMs - Fixture.dayMs)
        #expect(during > dayBefore * 1.25)
        // The labelled flow is the size of the burst: 35–50 % of the zone's mean inflow.
        let meanInflow = Fixture.mean(flow, from: scenario.meta.startMs, to: scenario.meta.startMs + 2 * Fixture.dayMs)
        let share = try #require(burst.leakFlowM3h) / meanInflow
        #expect(share > 0.35 && share < 0.5)
    }

    @Test func burstDropsPressureAtTheNearestSensor() throws {
        let burst = try #require(Fixture.label("burst"))
        let nearest = try #require(scenario.sensors.first { $0.nodeId == burst.nodeId && $0.kind == "pressure" })
        let pressure = Fixture.series(nearest.sensorId)
        let during = Fixture.mean(pressure, from: burst.startMs, to: burst.endMs)
        let dayBefore = Fixture.mean(pressure, from: burst.startMs - Fixture.dayMs, to: burst.endMs - Fixture.dayMs)
        #expect(dayBefore - during >= 0.3)
    }

    @Test func slowLeakRaisesNightFlow() throws {
        let leak = try #require(Fixture.label("leak"))
        let flow = try inletSeries(of: leak.zone)
        // 02:00–04:00, the night minimum, before the leak and once it has fully grown.
        let night = { (day: Int64) in scenario.meta.startMs + day * Fixture.dayMs + 2 * Fixture.hourMs }
        let before = Fixture.mean(flow, from: night(1), to: night(1) + 2 * Fixture.hourMs)
        let after = Fixture.mean(flow, from: night(5), to: night(5) + 2 * Fixture.hourMs)
        let leakFlow = try #require(leak.leakFlowM3h)
        #expect(after - before > 0.7 * leakFlow)
        #expect(after - before < 1.3 * leakFlow)
    }

    @Test func stuckSensorIsConstantDuringItsLabel() throws {
        let fault = try #require(Fixture.label("sensor_fault"))
        let values = scenario.readings.filter { $0.sensorId == fault.sensorId && fault.contains($0.tsMs) }.map(\.value)
        #expect(values.count >= Int((fault.endMs - fault.startMs) / scenario.meta.stepMs))
        #expect(Set(values).count == 1)
        // Before the fault the same sensor moves.
        let before = scenario.readings.filter {
            $0.sensorId == fault.sensorId && $0.tsMs >= fault.startMs - 6 * Fixture.hourMs && $0.tsMs < fault.startMs
        }
        #expect(Set(before.map(\.value)).count > 10)
    }

    @Test func gapSensorSendsNothingDuringTheGap() throws {
        let gap = try #require(Fixture.label("data_gap"))
        let sensor = try #require(gap.sensorId)
        #expect(!scenario.readings.contains { $0.sensorId == sensor && gap.contains($0.tsMs) })
        #expect(scenario.readings.contains { $0.sensorId == sensor && $0.tsMs == gap.endMs })
        #expect(scenario.readings.contains { $0.sensorId == sensor && $0.tsMs == gap.startMs - scenario.meta.stepMs })
    }
}
