import Testing
@testable import Simulation

@Suite struct ScenarioShapeTests {
    let scenario = Fixture.week

    @Test func zonesHaveInletFlowSensors() {
        let zones = scenario.meta.zones
        #expect(zones.count >= 3)
        #expect(zones.map(\.id).starts(with: ["north", "east", "south"]))
        let sensorsById = Dictionary(uniqueKeysWithValues: scenario.sensors.map { ($0.sensorId, $0) })
        for zone in zones {
            #expect(zone.inletSensors == ["\(zone.id)-flow-in"])
            let inlet = sensorsById[zone.inletSensors[0]]
            #expect(inlet?.kind == "flow" && inlet?.unit == "m3/h" && inlet?.zone == zone.id)
            let pressure = scenario.sensors.filter { $0.zone == zone.id && $0.kind == "pressure" }
            #expect(pressure.map(\.sensorId) == (1...5).map { "\(zone.id)-p\($0)" })
            #expect(pressure.allSatisfy { $0.unit == "bar" && $0.nodeId.hasPrefix("J-") })
        }
    }

    @Test func sensorsAreEnoughAndPlausiblyPlaced() {
        #expect(scenario.sensors.count >= 20)
        #expect(Set(scenario.sensors.map(\.sensorId)).count == scenario.sensors.count)
        #expect(scenario.sensors.contains { $0.sensorId == "tank-1-level" && $0.kind == "level" && $0.unit == "m" })
        let kinds: Set<String> = ["pressure", "flow", "level", "meter"]
        #expect(scenario.sensors.allSatisfy { kinds.contains($0.kind) && $0.min < $0.max })
        let lats = scenario.sensors.map(\.lat)
        let lons = scenario.sensors.map(\.lon)
        // One small city: everything within a few kilometres.
        #expect(lats.max()! - lats.min()! < 0.1)
        #expect(lons.max()! - lons.min()! < 0.1)
    }

    @Test func everySlotHasOneReadingExceptTheGap() throws {
        let steps = 7 * 1440
        let gap = try #require(Fixture.label("data_gap"))
        let gapSteps = Int((gap.endMs - gap.startMs) / scenario.meta.stepMs)
        let slots = Set(scenario.readings.map { "\($0.sensorId)@\($0.tsMs)" })
        #expect(slots.count == steps * scenario.sensors.count - gapSteps)
        let duplicates = scenario.readings.count - slots.count
        #expect(duplicates > 0)
        #expect(duplicates < scenario.readings.count / 200)  // about 0.1 %
    }

    @Test func readingsArriveMostlyInTimeOrder() {
        var latest = Int64.min
        var late = 0
        for reading in scenario.readings {
            if reading.tsMs < latest { late += 1 }
            latest = max(latest, reading.tsMs)
        }
        #expect(late >= 1 && late <= 20)
        #expect(scenario.readings.first?.tsMs == scenario.meta.startMs)
    }

    @Test func valuesAreFiniteWithinRangeAndRounded() {
        let ranges = Dictionary(uniqueKeysWithValues: scenario.sensors.map { ($0.sensorId, $0.min...$0.max) })
        #expect(scenario.readings.allSatisfy { $0.value.isFinite })
        #expect(scenario.readings.allSatisfy { ranges[$0.sensorId]?.contains($0.value) == true })
        #expect(scenario.readings.allSatisfy { ($0.value * 10_000).rounded() / 10_000 == $0.value })
    }

    @Test func theFourEventsAreLabelledOnWeekdaysAfterWarmUp() throws {
        #expect(Set(scenario.labels.map(\.type)) == ["burst", "leak", "sensor_fault", "data_gap"])
        let warmUpEnd = scenario.meta.startMs + 2 * Fixture.dayMs
        for label in scenario.labels {
            #expect(label.startMs >= warmUpEnd, "\(label.type)")
            #expect(label.startMs < label.endMs, "\(label.type)")
            #expect(SimTime.weekday(label.startMs) < 5, "\(label.type) starts on a weekend")
        }
        let burst = try #require(Fixture.label("burst"))
        let leak = try #require(Fixture.label("leak"))
        #expect(burst.zone != leak.zone)
        #expect(burst.nodeId != nil && burst.leakFlowM3h != nil)
        #expect(leak.nodeId != nil && leak.leakFlowM3h != nil)
        #expect(Fixture.label("sensor_fault")?.sensorId != nil)
        #expect(Fixture.label("data_gap")?.sensorId != nil)
    }

    @Test func shortScenarioKeepsOnlyEventsThatFit() {
        let short = Simulator.run(SimulationConfig(days: 2))
        #expect(short.labels.isEmpty)
        let calm = Simulator.run(SimulationConfig(days: 7, injectEvents: false))
        #expect(calm.labels.isEmpty)
    }

    /// The demo's history: weeks before the week of events, as one series, with every
    /// event where it falls in the plain week.
    @Test func eventsStartMsPlacesTheEventsInALaterWeek() throws {
        let liveStart = SimulationConfig.defaultStartMs
        let withHistory = Simulator.run(SimulationConfig(days: 10, startMs: liveStart - 3 * Fixture.dayMs, eventsStartMs: liveStart))
        #expect(withHistory.labels == scenario.labels.filter { $0.startMs < liveStart + 7 * Fixture.dayMs })
        #expect(withHistory.labels.count == 4)
        let first = try #require(withHistory.readings.map(\.tsMs).min())
        #expect(first == liveStart - 3 * Fixture.dayMs)
        let before = Set(withHistory.readings.filter { $0.tsMs < liveStart && $0.sensorId == "north-flow-in" }.map(\.tsMs))
        #expect(before.count == 3 * 1440)
    }
}
