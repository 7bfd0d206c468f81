import Foundation

/// One LSTM layer's place in the network's flat parameter vector: weights W (4h × (n+h),
/// gate rows in the order input, forget, cell, output) and biases b (4h).
struct LSTMLayer: Sendable {
    let inputSize: Int
    let hiddenSize: Int
    let weightOffset: Int
    var biasOffset: Int { weightOffset + 4 * hiddenSize * (inputSize + hiddenSize) }
    var parameterCount: Int { 4 * hiddenSize * (inputSize + hiddenSize) + 4 * hiddenSize }
    var concatSize: Int { inputSize + hiddenSize }

    /// What one step keeps for back-propagation.
    struct StepCache {
        /// [x, h_prev]
        var concat: [Double]
        /// Activated gates: i, f, g, o (4h).
        var gates: [Double]
        var cPrev: [Double]
        var c: [Double]
        var tanhC: [Double]
        var h: [Double]
    }

    /// One step: from input `x` and state (h, c) to the new state; returns the cache.
    func step(_ x: UnsafeBufferPointer<Double>, h: inout [Double], c: inout [Double], parameters: UnsafeBufferPointer<Double>) -> StepCache {
        let n = inputSize, hs = hiddenSize, m = concatSize
        var concat = [Double](repeating: 0, count: m)
        for i in 0..<n { concat[i] = x[i] }
        for i in 0..<hs { concat[n + i] = h[i] }
        var gates = [Double](repeating: 0, count: 4 * hs)
        concat.withUnsafeBufferPointer { v in
            let p = parameters.baseAddress!
            for r in 0..<(4 * hs) {
                gates[r] = parameters[biasOffset + r] + dot(p + weightOffset + r * m, v.baseAddress!, m)
            }
        }
        let cPrev = c
        var tanhC = [Double](repeating: 0, count: hs)
        for j in 0..<hs {
            let i = sigmoid(gates[j]), f = sigmoid(gates[hs + j]), g = tanh(gates[2 * hs + j]), o = sigmoid(gates[3 * hs + j])
            gates[j] = i
            gates[hs + j] = f
            gates[2 * hs + j] = g
            gates[3 * hs + j] = o
            c[j] = f * cPrev[j] + i * g
            tanhC[j] = tanh(c[j])
            h[j] = o * tanhC[j]
        }
        return StepCache(concat: concat, gates: gates, cPrev: cPrev, c: c, tanhC: tanhC, h: h)
    }

    /// One step for inference only: no cache, no allocation. `x` holds the input in
    /// its first `inputSize` elements; `gates` is scratch of 4h.
    func infer(
        _ x: UnsafePointer<Double>, h: UnsafeMutablePointer<Double>, c: UnsafeMutablePointer<Double>,
        gates: UnsafeMutablePointer<Double>, parameters p: UnsafePointer<Double>
    ) {
        let n = inputSize, hs = hiddenSize, m = concatSize
        for r in 0..<(4 * hs) {
            let row = p + weightOffset + r * m
            gates[r] = p[biasOffset + r] + dot(row, x, n) + dot(row + n, h, hs)
        }
        for j in 0..<hs {
            let i = sigmoid(gates[j]), f = sigmoid(gates[hs + j]), g = fastTanh(gates[2 * hs + j]), o = sigmoid(gates[3 * hs + j])
            c[j] = f * c[j] + i * g
            h[j] = o * fastTanh(c[j])
        }
    }

    /// Back-propagates one step. `dh` is the gradient reaching h_t (from above and
    /// from t+1), `dc` the one reaching c_t from t+1 (updated to c_{t-1}'s); adds the
    /// parameter gradients and writes the gradient of x into `dx` and of h_{t-1} into `dhPrev`.
    func backward(
        _ cache: StepCache, dh: [Double], dc: inout [Double], parameters: UnsafeBufferPointer<Double>,
        gradient: UnsafeMutableBufferPointer<Double>, dx: inout [Double], dhPrev: inout [Double]
    ) {
        let n = inputSize, hs = hiddenSize, m = concatSize
        var dz = [Double](repeating: 0, count: 4 * hs)
        for j in 0..<hs {
            let i = cache.gates[j], f = cache.gates[hs + j], g = cache.gates[2 * hs + j], o = cache.gates[3 * hs + j]
            let dO = dh[j] * cache.tanhC[j]
            let dC = dc[j] + dh[j] * o * (1 - cache.tanhC[j] * cache.tanhC[j])
            dz[j] = dC * g * i * (1 - i)
            dz[hs + j] = dC * cache.cPrev[j] * f * (1 - f)
            dz[2 * hs + j] = dC * i * (1 - g * g)
            dz[3 * hs + j] = dO * o * (1 - o)
            dc[j] = dC * f
        }
        var dConcat = [Double](repeating: 0, count: m)
        for r in 0..<(4 * hs) {
            let d = dz[r]
            if d == 0 { continue }
            gradient[biasOffset + r] += d
            let row = weightOffset + r * m
            for k in 0..<m {
                gradient[row + k] += d * cache.concat[k]
                dConcat[k] += d * parameters[row + k]
            }
        }
        for k in 0..<n { dx[k] = dConcat[k] }
        for k in 0..<hs { dhPrev[k] = dConcat[n + k] }
    }
}
