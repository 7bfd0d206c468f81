@testable import Forecasting
import Testing

/// Analytic gradients against central finite differences, for the likelihoods and for
/// every parameter of a small network (LSTM layers, head, embeddings).
@Suite struct DeepARGradientTests {
    private func relativeError(_ a: Double, _ b: Double) -> Double {
        abs(a - b) / max(1e-6, abs(a) + abs(b))
    }

    @Test(arguments: Likelihood.allCases)
    func likelihoodGradientsMatchFiniteDifferences(_ likelihood: Likelihood) {
        let raws: [[Double]] = [[0.3, -0.2, 0.5], [-1.2, 0.7, -0.4], [2.0, -1.5, 1.5]]
        for var raw in raws {
            raw = Array(raw.prefix(likelihood.parameterCount))
            for y in [-1.0, 0.1, 2.5] {
                func nll(_ r: [Double]) -> Double {
                    r.withUnsafeBufferPointer { p in
                        var g = [Double](repeating: 0, count: r.count)
                        return g.withUnsafeMutableBufferPointer {
                            StepDistribution(likelihood: likelihood, raw: p).negativeLogLikelihood(y, raw: p, weight: 1, gradient: $0)
                        }
                    }
                }
                var analytic = [Double](repeating: 0, count: raw.count)
                raw.withUnsafeBufferPointer { p in
                    analytic.withUnsafeMutableBufferPointer {
                        _ = StepDistribution(likelihood: likelihood, raw: p).negativeLogLikelihood(y, raw: p, weight: 1, gradient: $0)
                    }
                }
                for i in raw.indices {
                    var plus = raw, minus = raw
                    plus[i] += 1e-6
                    minus[i] -= 1e-6
                    let numeric = (nll(plus) - nll(minus)) / 2e-6
                    #expect(relativeError(analytic[i], numeric) < 1e-5, "\(likelihood) raw \(raw) y \(y) parameter \(i): \(analytic[i]) vs \(numeric)")
                }
            }
        }
    }

    @Test(arguments: Likelihood.allCases)
    func networkGradientsMatchFiniteDifferences(_ likelihood: Likelihood) {
        var config = DeepARConfig()
        config.layers = 2
        config.hiddenSize = 3
        config.embeddingSize = 2
        config.dropout = 0
        config.likelihood = likelihood
        var network = DeepARNetwork(config: config, sensorCount: 2, seed: 7)
        var rng = SplitMix(seed: 3)
        let window = TrainingWindow(
            sensor: 1,
            features: (0..<6).map { _ in (0..<DeepARConfig.featureCount).map { _ in Double.random(in: -1...1, using: &rng) } },
            targets: [0.2, nil, -0.4, 0.9, 0.1, -0.3], burnIn: 1)
        func loss(_ n: DeepARNetwork) -> Double {
            var g = [Double](repeating: 0, count: n.parameters.count)
            var noDropout: SplitMix? = nil
            return g.withUnsafeMutableBufferPointer { n.lossAndGradient(window, dropout: &noDropout, gradient: $0).loss }
        }
        var analytic = [Double](repeating: 0, count: network.parameters.count)
        var noDropout: SplitMix? = nil
        let counted = analytic.withUnsafeMutableBufferPointer { network.lossAndGradient(window, dropout: &noDropout, gradient: $0).count }
        #expect(counted == 4)  // burn-in and the missing target are not counted
        var worst = 0.0
        for i in network.parameters.indices {
            let original = network.parameters[i]
            network.parameters[i] = original + 1e-6
            let plus = loss(network)
            network.parameters[i] = original - 1e-6
            let minus = loss(network)
            network.parameters[i] = original
            let numeric = (plus - minus) / 2e-6
            if abs(analytic[i]) + abs(numeric) > 1e-7 { worst = max(worst, relativeError(analytic[i], numeric)) }
        }
        #expect(worst < 1e-4, "worst relative error \(worst) over \(network.parameters.count) parameters")
        // The embedding of the sensor not in the window gets no gradient.
        #expect(analytic[0] == 0 && analytic[1] == 0)
        #expect(analytic[2] != 0 || analytic[3] != 0)
    }

    @Test func specialFunctionsAgreeWithKnownValues() {
        #expect(abs(digamma(1) + 0.5772156649015329) < 1e-10)
        #expect(abs(digamma(0.5) + 1.9635100260214235) < 1e-10)
        #expect(abs(normalQuantile(0.95) - 1.6448536269514722) < 1e-10)
        #expect(abs(normalQuantile(0.025) + 1.959963984540054) < 1e-10)
        let t = StepDistribution(likelihood: .studentT, mu: 0, sigma: 1, nu: 10)
        #expect(abs(t.quantile(0.95) - 1.8124611) < 0.01)  // t(10) table value
    }
}
