import Foundation

/// A sensor's regular series as DeepAR sees it: values at a fixed cadence from a start
/// time, nil where a value is missing or unusable (flagged): never fed as a value.
public struct DeepARSeries: Sendable {
    public var sensorID: String
    public var startMs: Int64
    public var cadenceMs: Int64
    public var values: [Double?]

    public init(sensorID: String, startMs: Int64, cadenceMs: Int64, values: [Double?]) {
        self.sensorID = sensorID
        self.startMs = startMs
        self.cadenceMs = cadenceMs
        self.values = values
    }

    /// The series' scale: 1 + the mean absolute value (DeepAR's mean scaling, with 1
    /// added so a series near zero is not blown up).
    public static func scale(of values: some Sequence<Double?>) -> Double {
        var sum = 0.0
        var n = 0
        for case let v? in values {
            sum += abs(v)
            n += 1
        }
        return 1 + (n > 0 ? sum / Double(n) : 0)
    }
}

/// The inputs of one step: scaled lags of 1 step, 1 day and 1 week with an
/// observed-indicator each, the hour of day and day of week as sin/cos, and log scale.
enum DeepARFeatures {
    static func make(
        lag1: Double?, lagDay: Double?, lagWeek: Double?, tsMs: Int64, scale: Double, into x: inout [Double]
    ) {
        x.removeAll(keepingCapacity: true)
        for lag in [lag1, lagDay, lagWeek] {
            x.append((lag ?? 0) / scale)
            x.append(lag == nil ? 0 : 1)
        }
        let day = 86_400_000.0
        let dayFraction = Double(((tsMs % 86_400_000) + 86_400_000) % 86_400_000) / day
        // 1970-01-01 was a Thursday: +3 makes Monday 0.
        let days = Int64((Double(tsMs) / day).rounded(.down))
        let weekFraction = (Double(((days + 3) % 7 + 7) % 7) + dayFraction) / 7
        x.append(sin(2 * .pi * dayFraction))
        x.append(cos(2 * .pi * dayFraction))
        x.append(sin(2 * .pi * weekFraction))
        x.append(cos(2 * .pi * weekFraction))
        x.append(log(scale))
    }

    /// A training window of `series` over steps `start..<start+length`.
    static func window(
        _ series: DeepARSeries, sensor: Int, scale: Double, start: Int, length: Int, burnIn: Int,
        countFrom: Int = 0, config: DeepARConfig
    ) -> TrainingWindow {
        var features: [[Double]] = []
        var targets: [Double?] = []
        features.reserveCapacity(length)
        var x: [Double] = []
        for t in start..<(start + length) {
            func value(_ i: Int) -> Double? { i >= 0 && i < series.values.count ? series.values[i] : nil }
            make(
                lag1: value(t - 1), lagDay: value(t - config.stepsPerDay), lagWeek: value(t - config.stepsPerWeek),
                tsMs: series.startMs + Int64(t) * series.cadenceMs, scale: scale, into: &x)
            features.append(x)
            targets.append(t >= countFrom ? value(t).map { $0 / scale } : nil)
        }
        return TrainingWindow(sensor: sensor, features: features, targets: targets, burnIn: burnIn)
    }
}
