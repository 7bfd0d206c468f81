import Cleaning
import WaterlineProto

extension CleaningConfig {
    /// Cleaning settings for a registered sensor, in the canonical unit of its kind:
    /// its cadence, range, lateness and resolution from the registry, and the kind's
    /// defaults for the rest (services/preprocess/README.md, "Cleaning per kind").
    public init(sensor: Sensor, maxFillSteps: Int) {
        let convert = sensor.toCanonical ?? { $0 }
        let cadence = sensor.cadenceMs > 0 ? sensor.cadenceMs : 60_000
        let stuckAfter = sensor.stuckAfterMs > 0 ? sensor.stuckAfterMs : Self.defaultStuckAfterMs(sensor.kind)
        // The resolution in the canonical unit: converting a difference, not a value
        // (no unit here has an offset, so the scale is the conversion of 1 minus of 0).
        let resolution = sensor.resolution > 0 ? abs(convert(sensor.resolution) - convert(0)) : 0
        let (low, high) = (convert(sensor.minValue), convert(sensor.maxValue))
        self.init(
            cadenceMs: cadence,
            allowedLatenessMs: sensor.allowedLatenessMs > 0 ? sensor.allowedLatenessMs : nil,
            maxFillSteps: maxFillSteps,
            minValue: low, maxValue: high,
            rangeTolerance: max(resolution, Self.rangeToleranceOfSpan * (high - low).finiteOrZero),
            stuckSteps: max(3, Int((stuckAfter + cadence - 1) / cadence)),
            aggregation: sensor.kind == .pressure ? .median : .mean,
            spikeMinScale: max(1e-6, resolution))
    }

    /// Share of a sensor's span that its readings may lie beyond a bound and still count as
    /// in range: 1 %, the accuracy a field transmitter is commonly quoted at (of its span).
    public static let rangeToleranceOfSpan = 0.01

    /// How long a sensor of a kind may plausibly report exactly the same value:
    /// pressure and flow always move a little (demand changes every minute), a tank
    /// level can sit still while the tank is isolated, and a meter's consumption can be
    /// zero all night.
    public static func defaultStuckAfterMs(_ kind: SensorKind) -> Int64 {
        switch kind {
        case .pressure, .flow: return 60 * 60_000
        case .level: return 3 * 60 * 60_000
        case .meter: return 24 * 60 * 60_000
        default: return 60 * 60_000
        }
    }
}

extension CleanPoint {
    public init(sensorID: String, sample: CleanSample, seenThroughMs: Int64 = 0) {
        self.init()
        self.sensorID = sensorID
        tsMs = sample.tsMs
        if let v = sample.value { value = v }
        if let r = sample.rawValue { rawValue = r }
        if let m = sample.smoothed { smoothed = m }
        flags = sample.flags.rawValue
        revision = sample.revision
        traceID = sample.traceID
        self.seenThroughMs = seenThroughMs
    }

    /// The stored point as the cleaner sees it.
    public var sample: CleanSample {
        CleanSample(
            tsMs: tsMs, value: hasValue ? value : nil, rawValue: hasRawValue ? rawValue : nil,
            flags: QualityFlags(rawValue: flags), revision: max(1, revision), smoothed: hasSmoothed ? smoothed : nil,
            traceID: traceID)
    }
}

private extension Double {
    /// The value, or 0 when it is infinite or NaN (a range with an open end has no span).
    var finiteOrZero: Double { isFinite ? self : 0 }
}
