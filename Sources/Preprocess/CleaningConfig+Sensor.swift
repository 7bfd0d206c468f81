import Cleaning
import WaterlineProto

extension CleaningConfig {
    /// Cleaning settings for a registered sensor: its cadence and range (converted to
    /// the canonical unit, like its readings); mean per slot for flow, level and meters,
    /// median for pressure (robust to transients).
    public init(sensor: Sensor, maxFillSteps: Int) {
        let convert = sensor.toCanonical ?? { $0 }
        self.init(
            cadenceMs: sensor.cadenceMs > 0 ? sensor.cadenceMs : 60_000,
            maxFillSteps: maxFillSteps,
            minValue: convert(sensor.minValue), maxValue: convert(sensor.maxValue),
            aggregation: sensor.kind == .pressure ? .median : .mean)
    }
}

extension CleanPoint {
    public init(sensorID: String, sample: CleanSample) {
        self.init()
        self.sensorID = sensorID
        tsMs = sample.tsMs
        if let v = sample.value { value = v }
        if let r = sample.rawValue { rawValue = r }
        flags = sample.flags.rawValue
        revision = 1
        traceID = sample.traceID
    }
}
