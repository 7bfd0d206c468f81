import Testing
@testable import Simulation

@Suite struct HistoryCSVTests {
    @Test func longFilesReadOneReadingPerLineInAnyColumnOrder() throws {
        let csv = try HistoryCSV(header: "\u{FEFF}value,sensor_id,ts_ms,note", file: "h.csv")
        #expect(csv.layout == .long(sensor: 1, time: 2, value: 0))
        #expect(try csv.readings(of: "3.5, n1 ,1514764800000,x\r", lineNumber: 2) == [ScenarioReading(sensorId: "n1", tsMs: 1_514_764_800_000, value: 3.5)])
        #expect(try csv.readings(of: "", lineNumber: 3).isEmpty)
    }

    @Test func wideFilesReadAReadingPerSensorColumnAndSkipEmptyCells() throws {
        let csv = try HistoryCSV(header: "Timestamp,n1,n4,PUMP_1", file: "w.csv")
        #expect(csv.sensorColumns == ["n1", "n4", "PUMP_1"])
        let readings = try csv.readings(of: "2018-01-01 00:05:00,28.7,,91.25", lineNumber: 2)
        #expect(readings == [
            ScenarioReading(sensorId: "n1", tsMs: 1_514_765_100_000, value: 28.7),
            ScenarioReading(sensorId: "PUMP_1", tsMs: 1_514_765_100_000, value: 91.25),
        ])
    }

    @Test func isoTimesAreUTCUnlessTheySayTheirOffset() {
        #expect(HistoryCSV.isoMilliseconds("2018-01-01") == 1_514_764_800_000)
        #expect(HistoryCSV.isoMilliseconds("2018-01-01T00:00:00Z") == 1_514_764_800_000)
        #expect(HistoryCSV.isoMilliseconds("2018-01-01T02:00:00+02:00") == 1_514_764_800_000)
        #expect(HistoryCSV.isoMilliseconds("2017-12-31 19:00:00.250-05:00") == 1_514_764_800_250)
        #expect(HistoryCSV.isoMilliseconds("2020-02-29 12:00") == 1_582_977_600_000)
        #expect(HistoryCSV.isoMilliseconds("2018-13-01") == nil)
        #expect(HistoryCSV.isoMilliseconds("yesterday") == nil)
        #expect(HistoryCSV.isoMilliseconds("2018-01-01 00:00:00 UTC") == nil)
    }

    @Test func badLinesAndHeadersAreRefusedWithTheLineAndTheReason() throws {
        #expect(throws: ScenarioError.self) { try HistoryCSV(header: "when,n1", file: "x.csv") }
        #expect(throws: ScenarioError.self) { try HistoryCSV(header: "ts_ms,n1,n1", file: "x.csv") }
        let csv = try HistoryCSV(header: "sensor_id,ts_ms,value", file: "x.csv")
        do {
            _ = try csv.readings(of: "n1,1514764800000,high", lineNumber: 7)
            Issue.record("a value that is not a number was read")
        } catch let error as ScenarioError {
            #expect(error.description == "x.csv:7: value 'high' is not a number")
        }
        #expect(throws: ScenarioError.self) { try csv.readings(of: "n1,1514764800000", lineNumber: 8) }
        #expect(throws: ScenarioError.self) { try csv.readings(of: "n1,noon,1", lineNumber: 9) }
    }
}
