import Foundation

/// DeepAR's network (Salinas et al., 2020): stacked LSTM layers reading each step's
/// features and the sensor's embedding, and a dense head giving the parameters of the
/// next value's distribution. All parameters live in one flat vector, so the optimiser,
/// clipping and serialisation treat them as one.
public struct DeepARNetwork: Sendable, Codable, Equatable {
    public let config: DeepARConfig
    public let sensorCount: Int
    public var parameters: [Double]

    // MARK: Layout

    var embeddingOffset: Int { 0 }
    var lstmLayers: [LSTMLayer] {
        var offset = sensorCount * config.embeddingSize
        var layers: [LSTMLayer] = []
        for l in 0..<config.layers {
            let layer = LSTMLayer(
                inputSize: l == 0 ? config.inputSize : config.hiddenSize, hiddenSize: config.hiddenSize, weightOffset: offset)
            layers.append(layer)
            offset += layer.parameterCount
        }
        return layers
    }
    /// Where the head's weights start (computed: read it once per use, not per element).
    var outputOffset: Int {
        let last = lstmLayers.last!
        return last.weightOffset + last.parameterCount
    }
    var outputCount: Int { config.likelihood.parameterCount }
    static func parameterCount(config: DeepARConfig, sensorCount: Int) -> Int {
        let h = config.hiddenSize
        var n = sensorCount * config.embeddingSize
        for l in 0..<config.layers {
            let input = l == 0 ? config.inputSize : h
            n += 4 * h * (input + h) + 4 * h
        }
        return n + config.likelihood.parameterCount * (h + 1)
    }

    /// A network with Glorot-uniform weights, forget-gate biases of 1 (the usual start
    /// that lets the cell remember), and small random embeddings; the same seed gives
    /// the same network.
    public init(config: DeepARConfig, sensorCount: Int, seed: UInt64) {
        self.config = config
        self.sensorCount = sensorCount
        var rng = SplitMix(seed: seed)
        var p = [Double](repeating: 0, count: Self.parameterCount(config: config, sensorCount: sensorCount))
        for i in 0..<(sensorCount * config.embeddingSize) { p[i] = Double.random(in: -0.1...0.1, using: &rng) }
        let h = config.hiddenSize
        var offset = sensorCount * config.embeddingSize
        for l in 0..<config.layers {
            let input = l == 0 ? config.inputSize : h
            let limit = (6.0 / Double(input + h + h)).squareRoot()
            for i in 0..<(4 * h * (input + h)) { p[offset + i] = Double.random(in: -limit...limit, using: &rng) }
            offset += 4 * h * (input + h)
            for j in 0..<h { p[offset + h + j] = 1 }  // forget gate
            offset += 4 * h
        }
        let limit = (6.0 / Double(h + config.likelihood.parameterCount)).squareRoot()
        for i in 0..<(config.likelihood.parameterCount * h) { p[offset + i] = Double.random(in: -limit...limit, using: &rng) }
        parameters = p
    }

    // MARK: Forward and backward over a window

    /// Runs the window; returns the summed negative log-likelihood of its counted
    /// steps and how many were counted, adding the gradient into `gradient`. With a
    /// dropout generator, units are dropped (training); without, none are.
    func lossAndGradient(
        _ window: TrainingWindow, dropout: inout SplitMix?, gradient: UnsafeMutableBufferPointer<Double>
    ) -> (loss: Double, count: Int) {
        let layers = lstmLayers
        let outputOffset = layers.last!.weightOffset + layers.last!.parameterCount
        let h = config.hiddenSize
        let k = outputCount
        let steps = window.features.count
        var caches = [[LSTMLayer.StepCache]](repeating: [], count: layers.count)
        var masks = [[[Double]]](repeating: [], count: layers.count)
        var dRaw = [[Double]](repeating: [Double](repeating: 0, count: k), count: steps)
        var loss = 0.0
        var counted = 0
        parameters.withUnsafeBufferPointer { p in
            var hs = [[Double]](repeating: [Double](repeating: 0, count: h), count: layers.count)
            var cs = hs
            for t in 0..<steps {
                var x = window.features[t]
                let e = embeddingOffset + window.sensor * config.embeddingSize
                for j in 0..<config.embeddingSize { x.append(p[e + j]) }
                for (l, layer) in layers.enumerated() {
                    let cache = x.withUnsafeBufferPointer { layer.step($0, h: &hs[l], c: &cs[l], parameters: p) }
                    caches[l].append(cache)
                    let mask = dropoutMask(h, &dropout)
                    masks[l].append(mask)
                    x = zip(cache.h, mask).map { $0 * $1 }
                }
                guard let y = window.targets[t], t >= window.burnIn else { continue }
                var raw = [Double](repeating: 0, count: k)
                for r in 0..<k {
                    var s = p[outputOffset + k * h + r]
                    for j in 0..<h { s += p[outputOffset + r * h + j] * x[j] }
                    raw[r] = s
                }
                raw.withUnsafeBufferPointer { rawP in
                    let d = StepDistribution(likelihood: config.likelihood, raw: rawP)
                    dRaw[t].withUnsafeMutableBufferPointer { g in
                        loss += d.negativeLogLikelihood(y, raw: rawP, weight: 1, gradient: g)
                    }
                }
                counted += 1
            }
            // Back through time, top layer first at each step.
            var dhNext = [[Double]](repeating: [Double](repeating: 0, count: h), count: layers.count)
            var dcNext = dhNext
            for t in stride(from: steps - 1, through: 0, by: -1) {
                // The head: gradient into its weights and into the top layer's output.
                var dTop = [Double](repeating: 0, count: h)
                let top = layers.count - 1
                let topOut = zip(caches[top][t].h, masks[top][t]).map { $0 * $1 }
                for r in 0..<k where dRaw[t][r] != 0 {
                    let d = dRaw[t][r]
                    gradient[outputOffset + k * h + r] += d
                    for j in 0..<h {
                        gradient[outputOffset + r * h + j] += d * topOut[j]
                        dTop[j] += d * p[outputOffset + r * h + j]
                    }
                }
                var dOut = zip(dTop, masks[top][t]).map { $0 * $1 }
                for l in stride(from: top, through: 0, by: -1) {
                    let layer = layers[l]
                    let dh = zip(dOut, dhNext[l]).map { $0 + $1 }
                    var dx = [Double](repeating: 0, count: layer.inputSize)
                    layer.backward(caches[l][t], dh: dh, dc: &dcNext[l], parameters: p, gradient: gradient, dx: &dx, dhPrev: &dhNext[l])
                    if l > 0 {
                        dOut = zip(dx, masks[l - 1][t]).map { $0 * $1 }
                    } else {
                        let e = embeddingOffset + window.sensor * config.embeddingSize
                        for j in 0..<config.embeddingSize { gradient[e + j] += dx[DeepARConfig.featureCount + j] }
                    }
                }
            }
        }
        return (loss, counted)
    }

    /// One inference step, with no allocation: `x` holds the step's features in its
    /// first `featureCount` elements (and room for max(inputSize, hidden)); the sensor's
    /// embedding is appended, each layer's h and c in `state` (one layer after the
    /// other) advanced, and the step's distribution returned, in scaled units. `gates`
    /// is scratch of 4 × hidden. Shared by streaming inference and evaluation.
    func inferStep(
        sensor: Int, layers: [LSTMLayer], outputOffset: Int, x: UnsafeMutablePointer<Double>,
        state: UnsafeMutablePointer<Double>, gates: UnsafeMutablePointer<Double>
    ) -> StepDistribution {
        let h = config.hiddenSize, k = outputCount
        return parameters.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            let e = embeddingOffset + sensor * config.embeddingSize
            for j in 0..<config.embeddingSize { x[DeepARConfig.featureCount + j] = p[e + j] }
            for (l, layer) in layers.enumerated() {
                let hl = state + 2 * l * h
                layer.infer(x, h: hl, c: hl + h, gates: gates, parameters: p)
                for j in 0..<h { x[j] = hl[j] }
            }
            return withUnsafeTemporaryAllocation(of: Double.self, capacity: k) { raw in
                for r in 0..<k { raw[r] = p[outputOffset + k * h + r] + dot(p + outputOffset + r * h, x, h) }
                return StepDistribution(likelihood: config.likelihood, raw: UnsafeBufferPointer(raw))
            }
        }
    }

    /// The distributions of a window's counted steps with their targets (no dropout,
    /// no gradient): for calibration and evaluation.
    func distributions(_ window: TrainingWindow) -> [(target: Double, distribution: StepDistribution)] {
        let layers = lstmLayers
        let outputOffset = self.outputOffset
        let h = config.hiddenSize
        var out: [(Double, StepDistribution)] = []
        var state = [Double](repeating: 0, count: 2 * layers.count * h)
        var x = [Double](repeating: 0, count: max(config.inputSize, h))
        var gates = [Double](repeating: 0, count: 4 * h)
        for t in 0..<window.features.count {
            for (i, f) in window.features[t].enumerated() { x[i] = f }
            let d = x.withUnsafeMutableBufferPointer { xp in
                state.withUnsafeMutableBufferPointer { st in
                    gates.withUnsafeMutableBufferPointer { g in
                        inferStep(
                            sensor: window.sensor, layers: layers, outputOffset: outputOffset, x: xp.baseAddress!,
                            state: st.baseAddress!, gates: g.baseAddress!)
                    }
                }
            }
            guard let y = window.targets[t], t >= window.burnIn else { continue }
            out.append((y, d))
        }
        return out
    }

    /// Inverted dropout: kept units are scaled by 1/(1 − p), so inference needs no change.
    private func dropoutMask(_ n: Int, _ rng: inout SplitMix?) -> [Double] {
        guard config.dropout > 0, var generator = rng else { return [Double](repeating: 1, count: n) }
        let keep = 1 - config.dropout
        let mask = (0..<n).map { _ in Double.random(in: 0..<1, using: &generator) < keep ? 1 / keep : 0 }
        rng = generator
        return mask
    }
}

/// One training window: the features of each step (without the embedding), the scaled
/// targets (nil where the value is missing or unusable) and the sensor's index.
struct TrainingWindow: Sendable {
    var sensor: Int
    var features: [[Double]]
    var targets: [Double?]
    /// Steps at the start that only warm the state.
    var burnIn: Int
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same model.
public struct SplitMix: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
