import Foundation

/// The Adam optimiser (Kingma & Ba) over a flat parameter vector.
struct Adam: Sendable {
    var learningRate: Double
    let beta1 = 0.9
    let beta2 = 0.999
    let epsilon = 1e-8
    private var m: [Double]
    private var v: [Double]
    private var t = 0

    init(count: Int, learningRate: Double) {
        self.learningRate = learningRate
        m = [Double](repeating: 0, count: count)
        v = [Double](repeating: 0, count: count)
    }

    mutating func step(_ parameters: inout [Double], gradient: [Double]) {
        t += 1
        let c1 = 1 - pow(beta1, Double(t))
        let c2 = 1 - pow(beta2, Double(t))
        for i in parameters.indices {
            let g = gradient[i]
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            parameters[i] -= learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + epsilon)
        }
    }
}

/// Scales `gradient` down to `maxNorm` (global L2 norm) when it is larger; returns the
/// norm before clipping.
@discardableResult
func clip(_ gradient: inout [Double], maxNorm: Double) -> Double {
    let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
    if norm > maxNorm {
        let f = maxNorm / norm
        for i in gradient.indices { gradient[i] *= f }
    }
    return norm
}
