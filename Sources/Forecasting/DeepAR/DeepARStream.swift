import Foundation
/// One sensor's DeepAR state for streaming inference: the LSTM state and the values
/// of the last week (for the lag inputs). Each point costs one network step: the
/// distribution of the point's value given everything before it.
public struct DeepARStream: Sendable {
    public let sensor: Int
    private let scaling: SeriesScaling
    private let calibration: Double
    /// Adaptive conformal factor (Gibbs & Candès, 2021): grows after a value outside
    /// the 90% interval and shrinks a little after one inside, so that over time 90% of
    /// this sensor's values fall inside, whatever the training left miscalibrated.
    private var adaptive = 1.0
    /// Step of the adaptive factor's logarithm.
    static let adaptationRate = 0.05
    /// h and c of each layer, one after the other.
    private var state: [Double]
    private var features: [Double] = []
    private var input: [Double]
    private var gates: [Double]
    /// The layers' places in the parameter vector (the same for every model of one
    /// configuration and sensor count).
    private let layers: [LSTMLayer]
    private let outputOffset: Int
    /// The last week of values, a ring (NaN: missing). Float: 4 bytes a value is what a
    /// week of history per sensor costs, and sensors' resolution is far coarser.
    private var ring: [Float]
    /// Values recorded so far.
    private var recorded = 0
    public private(set) var lastTs: Int64?

    public init(model: DeepARModel, sensor: Int) {
        self.sensor = sensor
        scaling = model.scalings[sensor]
        calibration = model.scaleCalibration
        let config = model.config
        state = [Double](repeating: 0, count: 2 * config.layers * config.hiddenSize)
        input = [Double](repeating: 0, count: max(config.inputSize, config.hiddenSize))
        gates = [Double](repeating: 0, count: 4 * config.hiddenSize)
        layers = model.layers
        outputOffset = model.network.outputOffset
        ring = [Float](repeating: .nan, count: max(model.config.stepsPerWeek, model.config.stepsPerDay, 1))
    }

    /// Forecasts the next `steps` points after the last one seen, by sampling `paths`
    /// futures (each step's draw fed back as the next step's input) from copies of
    /// this state; returns per step the quantiles `levels` of the sampled values. The
    /// stream itself is not advanced.
    public func forecast(
        model: DeepARModel, steps: Int, paths: Int = 200, levels: [Double] = [0.05, 0.5, 0.95], seed: UInt64 = 1
    ) -> [[Double]] {
        guard steps > 0, paths > 0, let last = lastTs else { return [] }
        var rng = SplitMix(seed: seed)
        var draws = [[Double]](repeating: [], count: steps)
        for _ in 0..<paths {
            var path = self
            path.adaptive = adaptive
            var d = path.step(model: model, tsMs: last + model.cadenceMs, value: nil)
            for k in 0..<steps {
                let y = d.sample(using: &rng)
                draws[k].append(y)
                // Feed the draw back: the next step's lag-1 input is this value.
                path.ring[(path.recorded - 1) % path.ring.count] = Float(y)
                if k + 1 < steps { d = path.step(model: model, tsMs: last + Int64(k + 2) * model.cadenceMs, value: nil) }
            }
        }
        return draws.map { values in
            let sorted = values.sorted()
            return levels.map { p in sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))] }
        }
    }

    /// Bytes this state holds (its buffers; the struct itself adds a few words).
    public var stateBytes: Int {
        ring.count * MemoryLayout<Float>.stride
            + (state.count + features.capacity + input.count + gates.count) * MemoryLayout<Double>.stride
            + layers.count * MemoryLayout<LSTMLayer>.stride
    }

    /// The distribution of the value at `tsMs` (in the sensor's units), given the
    /// points observed before; then records `value` (nil when missing or unusable).
    /// One network step, with no allocation.
    public mutating func step(model: DeepARModel, tsMs: Int64, value: Double?) -> StepDistribution {
        let config = model.config
        let network = model.network
        func lag(_ k: Int) -> Double? {
            guard k >= 1, k <= recorded, k <= ring.count else { return nil }
            let v = ring[(recorded - k) % ring.count]
            return v.isNaN ? nil : Double(v)
        }
        DeepARFeatures.make(
            lag1: lag(1), lagDay: lag(config.stepsPerDay), lagWeek: lag(config.stepsPerWeek), tsMs: tsMs, scaling: scaling, into: &features)
        var d = input.withUnsafeMutableBufferPointer { x in
            for i in 0..<features.count { x[i] = features[i] }
            return state.withUnsafeMutableBufferPointer { st in
                gates.withUnsafeMutableBufferPointer { g in
                    network.inferStep(
                        sensor: sensor, layers: layers, outputOffset: outputOffset, x: x.baseAddress!,
                        state: st.baseAddress!, gates: g.baseAddress!)
                }
            }
        }
        d.mu = scaling.center + d.mu * scaling.scale
        d.sigma *= scaling.scale * calibration * adaptive
        if let value {
            let missed = value < d.quantile(0.05) || value > d.quantile(0.95)
            adaptive *= exp(Self.adaptationRate * ((missed ? 1 : 0) - 0.1))
            adaptive = min(5, max(0.2, adaptive))
        }
        ring[recorded % ring.count] = value.map { Float($0) } ?? .nan
        recorded += 1
        lastTs = tsMs
        return d
    }
}
