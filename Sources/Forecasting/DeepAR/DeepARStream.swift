/// One sensor's DeepAR state for streaming inference: the LSTM state and the values
/// of the last week (for the lag inputs). Each point costs one network step: the
/// distribution of the point's value given everything before it.
public struct DeepARStream: Sendable {
    public let sensor: Int
    private let scale: Double
    private var h: [[Double]]
    private var c: [[Double]]
    /// The last week of values (nil: missing), newest last.
    private var history: [Double?] = []
    private var historyStart = 0
    private let weekSteps: Int
    public private(set) var lastTs: Int64?

    public init(model: DeepARModel, sensor: Int) {
        self.sensor = sensor
        scale = model.scales[sensor]
        let zeros = [Double](repeating: 0, count: model.config.hiddenSize)
        h = Array(repeating: zeros, count: model.config.layers)
        c = h
        weekSteps = model.config.stepsPerWeek
    }

    /// The distribution of the value at `tsMs` (in the sensor's units), given the
    /// points observed before; then records `value` (nil when missing or unusable).
    public mutating func step(model: DeepARModel, tsMs: Int64, value: Double?) -> StepDistribution {
        let config = model.config
        func lag(_ k: Int) -> Double? {
            let i = history.count - k
            return i >= historyStart && i >= 0 && i < history.count ? history[i] : nil
        }
        var x: [Double] = []
        DeepARFeatures.make(
            lag1: lag(1), lagDay: lag(config.stepsPerDay), lagWeek: lag(config.stepsPerWeek), tsMs: tsMs, scale: scale, into: &x)
        let network = model.network
        var raw = [Double](repeating: 0, count: network.outputCount)
        network.parameters.withUnsafeBufferPointer { p in
            let e = network.embeddingOffset + sensor * config.embeddingSize
            for j in 0..<config.embeddingSize { x.append(p[e + j]) }
            for (l, layer) in network.lstmLayers.enumerated() {
                let cache = x.withUnsafeBufferPointer { layer.step($0, h: &h[l], c: &c[l], parameters: p) }
                x = cache.h
            }
            let k = network.outputCount, hs = config.hiddenSize
            for r in 0..<k {
                var s = p[network.outputOffset + k * hs + r]
                for j in 0..<hs { s += p[network.outputOffset + r * hs + j] * x[j] }
                raw[r] = s
            }
        }
        var d = raw.withUnsafeBufferPointer { StepDistribution(likelihood: config.likelihood, raw: $0) }
        d.mu *= scale
        d.sigma *= scale
        history.append(value)
        if history.count - historyStart > weekSteps + 1 {
            historyStart += 1
            if historyStart > weekSteps {  // compact now and then
                history.removeFirst(historyStart)
                historyStart = 0
            }
        }
        lastTs = tsMs
        return d
    }
}
