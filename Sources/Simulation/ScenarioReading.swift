/// One row of a scenario's `readings.csv` (`sensor_id,ts_ms,value`): one value one sensor sent.
public struct ScenarioReading: Sendable, Equatable {
    /// The sensor that sent the value.
    public var sensorId: String
    /// Measurement time, milliseconds since the epoch (UTC).
    public var tsMs: Int64
    /// The measured value, in the sensor's unit.
    public var value: Double

    /// Creates a reading.
    public init(sensorId: String, tsMs: Int64, value: Double) {
        self.sensorId = sensorId
        self.tsMs = tsMs
        self.value = value
    }
}
