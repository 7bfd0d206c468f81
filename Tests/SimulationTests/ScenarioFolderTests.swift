import Foundation
import Testing
@testable import Simulation

@Suite struct ScenarioFolderTests {
    @Test func writeThenReadGivesTheSameScenario() throws {
        let scenario = Fixture.week
        let back = try Fixture.withTemporaryDirectory { dir in
            try ScenarioFolder.write(scenario, to: dir)
            return try ScenarioFolder.read(from: dir)
        }
        #expect(back.meta == scenario.meta)
        #expect(back.sensors == scenario.sensors)
        #expect(back.labels == scenario.labels)
        #expect(back.readings.count == scenario.readings.count)
        #expect(back.readings == scenario.readings)
    }

    @Test func filesUseTheDocumentedLayout() throws {
        let scenario = Simulator.run(SimulationConfig(days: 5))
        try Fixture.withTemporaryDirectory { dir in
            try ScenarioFolder.write(scenario, to: dir)
            func text(_ file: String) throws -> String {
                try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            }
            let sensors = try text("sensors.csv").split(separator: "\n")
            #expect(sensors.first == "sensor_id,kind,unit,zone,node_id,lat,lon,min,max")
            #expect(sensors.count == scenario.sensors.count + 1)
            let readings = try text("readings.csv").split(separator: "\n", maxSplits: 2)
            #expect(readings.first == "sensor_id,ts_ms,value")
            #expect(readings[1].hasPrefix("north-flow-in,\(scenario.meta.startMs),"))
            let meta = try text("scenario.json")
            #expect(meta.contains("\"start_ms\"") && meta.contains("\"inlet_sensors\"") && meta.contains("\"tariff_per_m3\""))
            let labels = try text("labels.json")
            #expect(labels.contains("\"leak_flow_m3h\"") && labels.contains("\"sensor_id\""))
            #expect(!labels.contains("pipe_id"))  // nil fields are omitted
        }
    }

    @Test func malformedRowIsReportedWithFileAndLine() throws {
        let scenario = Simulator.run(SimulationConfig(days: 1))
        try Fixture.withTemporaryDirectory { dir in
            try ScenarioFolder.write(scenario, to: dir)
            let csv = "sensor_id,ts_ms,value\nnorth-p1,1793577600000,3.5\n\nnorth-p1,1793577660000\n"
            try csv.write(to: dir.appendingPathComponent("readings.csv"), atomically: true, encoding: .utf8)
            do {
                _ = try ScenarioFolder.read(from: dir)
                Issue.record("a row with two fields must not be accepted")
            } catch let error as ScenarioError {
                #expect(error.file == "readings.csv")
                #expect(error.line == 4)
                #expect(error.description.hasPrefix("readings.csv:4:"))
            }
        }
    }

    @Test func badNumberIsRejected() throws {
        let scenario = Simulator.run(SimulationConfig(days: 1))
        try Fixture.withTemporaryDirectory { dir in
            try ScenarioFolder.write(scenario, to: dir)
            let csv = "sensor_id,ts_ms,value\r\nnorth-p1,1793577600000,nan\r\n"
            try csv.write(to: dir.appendingPathComponent("readings.csv"), atomically: true, encoding: .utf8)
            do {
                _ = try ScenarioFolder.read(from: dir)
                Issue.record("NaN must not be accepted")
            } catch let error as ScenarioError {
                #expect(error.line == 2)
                #expect(error.message.contains("value"))
            }
        }
    }

    @Test func optionalLabelsAndReorderedColumnsAreAccepted() throws {
        let scenario = Simulator.run(SimulationConfig(days: 1))
        let back = try Fixture.withTemporaryDirectory { dir in
            try ScenarioFolder.write(scenario, to: dir)
            try FileManager.default.removeItem(at: dir.appendingPathComponent("labels.json"))
            let csv = "value,sensor_id,ts_ms\n3.25,north-p1,1793577600000\n-0.5,east-p2,1793577660000"
            try csv.write(to: dir.appendingPathComponent("readings.csv"), atomically: true, encoding: .utf8)
            return try ScenarioFolder.read(from: dir)
        }
        #expect(back.labels.isEmpty)
        #expect(back.readings == [
            ScenarioReading(sensorId: "north-p1", tsMs: 1_793_577_600_000, value: 3.25),
            ScenarioReading(sensorId: "east-p2", tsMs: 1_793_577_660_000, value: -0.5),
        ])
    }

    @Test func missingFileIsNamed() throws {
        try Fixture.withTemporaryDirectory { dir in
            do {
                _ = try ScenarioFolder.read(from: dir)
                Issue.record("an empty folder is not a scenario")
            } catch let error as ScenarioError {
                #expect(error.file == "scenario.json")
            }
        }
    }
}
