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

}

/// How a series is brought to the network's range: value′ = (value − center) / scale.
public struct SeriesScaling: Sendable, Codable, Equatable {
    public var center: Double
    public var scale: Double

    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// DeepAR's mean scaling: center 0, scale 1 + the mean absolute value.
        case mean
        /// Standardisation: center the mean, scale the standard deviation. A pressure
        /// of 3.5 bar moving by tenths is all offset under mean scaling, leaving the
        /// network to resolve its movement in the third decimal; standardised, the
        /// movement is what the network sees.
        case standardize
    }

    public init(center: Double, scale: Double) {
        self.center = center
        self.scale = scale
    }

    public init(mode: Mode, values: some Sequence<Double?>) {
        var sum = 0.0, sumAbs = 0.0, sumSquares = 0.0
        var n = 0
        for case let v? in values {
            sum += v
            sumAbs += abs(v)
            sumSquares += v * v
            n += 1
        }
        switch mode {
        case .mean:
            self.init(center: 0, scale: 1 + (n > 0 ? sumAbs / Double(n) : 0))
        case .standardize:
            let mean = n > 0 ? sum / Double(n) : 0
            let variance = n > 1 ? max(0, sumSquares / Double(n) - mean * mean) : 0
            self.init(center: mean, scale: max(variance.squareRoot(), 1e-6 * max(1, abs(mean))))
        }
    }

    @inline(__always) func normalize(_ v: Double) -> Double { (v - center) / scale }
}

/// The inputs of one step: scaled lags of 1 step, 1 day and 1 week with an
/// observed-indicator each, the hour of day and day of week as sin/cos, and the log of
/// the series' scale.
enum DeepARFeatures {
    static func make(
        lag1: Double?, lagDay: Double?, lagWeek: Double?, tsMs: Int64, scaling: SeriesScaling, into x: inout [Double]
    ) {
        x.removeAll(keepingCapacity: true)
        for lag in [lag1, lagDay, lagWeek] {
            x.append(lag.map(scaling.normalize) ?? 0)
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
        x.append(log(scaling.scale))
    }

    /// A training window of `series` over steps `start..<start+length`.
    static func window(
        _ series: DeepARSeries, sensor: Int, scaling: SeriesScaling, start: Int, length: Int, burnIn: Int,
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
                tsMs: series.startMs + Int64(t) * series.cadenceMs, scaling: scaling, into: &x)
            features.append(x)
            targets.append(t >= countFrom ? value(t).map(scaling.normalize) : nil)
        }
        return TrainingWindow(sensor: sensor, features: features, targets: targets, burnIn: burnIn)
    }
}
