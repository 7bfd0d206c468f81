import Testing
@testable import Simulation

@Suite struct CSVNumberTests {
    @Test func fixedDecimalsAreShortAndRounded() {
        var writer = CSVWriter()
        for value in [0.0, -0.0, 1.5, -1.5, 0.0001, -0.00004, 12.34567, 3.1416, 100.0] {
            writer.append(value, decimals: 4)
            writer.comma()
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "0,0,1.5,-1.5,0.0001,0,12.3457,3.1416,100,")
    }

    @Test func writtenValuesParseBackExactly() throws {
        var rng = SeededGenerator(seed: 9)
        let readings = (0..<5_000).map { i in
            let raw = rng.nextDouble(in: -500...500)
            return ScenarioReading(sensorId: "s\(i % 7)", tsMs: Int64(i) * 60_000, value: (raw * 10_000).rounded() / 10_000)
        }
        let bytes = try ScenarioCSV.encodeReadings(readings)
        let back = try bytes.withUnsafeBytes { try ScenarioCSV.decodeReadings($0) }
        #expect(back == readings)
    }
}
