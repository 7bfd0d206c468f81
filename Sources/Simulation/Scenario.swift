/// A complete scenario: metadata, sensors, the readings devices sent and the ground truth.
///
/// This is the in-memory form of a scenario folder (see ``ScenarioFolder``), the one format
/// `waterline simulate` writes, `waterline replay` streams and `waterline eval` scores.
public struct Scenario: Sendable, Equatable {
    /// Contents of `scenario.json`.
    public var meta: ScenarioMeta
    /// Rows of `sensors.csv`.
    public var sensors: [ScenarioSensor]
    /// Rows of `readings.csv`, in the order devices sent them (may hold gaps, duplicates and
    /// late rows).
    public var readings: [ScenarioReading]
    /// Contents of `labels.json`; empty when the scenario has no ground truth.
    public var labels: [ScenarioLabel]

    /// Creates a scenario.
    public init(
        meta: ScenarioMeta, sensors: [ScenarioSensor], readings: [ScenarioReading],
        labels: [ScenarioLabel] = []
    ) {
        self.meta = meta
        self.sensors = sensors
        self.readings = readings
        self.labels = labels
    }
}
