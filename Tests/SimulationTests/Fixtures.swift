import Foundation
@testable import Simulation

/// Scenarios shared by the tests: generating a week takes a moment in debug builds.
enum Fixture {
    static let dayMs: Int64 = 86_400_000
    static let hourMs: Int64 = 3_600_000

    /// The default 7-day scenario (seed 42).
    static let week = Simulator.run(SimulationConfig())

    /// The values of one sensor by timestamp (the last one wins for duplicates).
    static func series(_ sensorId: String, in scenario: Scenario = week) -> [Int64: Double] {
        var values: [Int64: Double] = [:]
        for reading in scenario.readings where reading.sensorId == sensorId {
            values[reading.tsMs] = reading.value
        }
        return values
    }

    /// Mean of `series` over `[start, end)`.
    static func mean(_ series: [Int64: Double], from start: Int64, to end: Int64) -> Double {
        let values = series.filter { $0.key >= start && $0.key < end }.map(\.value)
        precondition(!values.isEmpty, "no values in the window")
        return values.reduce(0, +) / Double(values.count)
    }

    static func label(_ type: String, in scenario: Scenario = week) -> ScenarioLabel? {
        scenario.labels.first { $0.type == type }
    }

    /// Runs `body` with a fresh temporary folder that is removed afterwards.
    static func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("waterline-simulation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        return try body(dir)
    }
}
