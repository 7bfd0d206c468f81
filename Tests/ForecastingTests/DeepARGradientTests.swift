@testable import Forecasting
import Foundation
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

    @Test(arguments: Likelihood.allCases)
    func logDensityIsMinusTheNegativeLogLikelihood(_ likelihood: Likelihood) {
        let raw = [0.4, -0.3, 0.8].prefix(likelihood.parameterCount)
        Array(raw).withUnsafeBufferPointer { p in
            let d = StepDistribution(likelihood: likelihood, raw: p)
            var g = [Double](repeating: 0, count: p.count)
            for y in [-2.0, 0.4, 3.0] {
                let nll = g.withUnsafeMutableBufferPointer { d.negativeLogLikelihood(y, raw: p, weight: 1, gradient: $0) }
                #expect(abs(d.logDensity(y) + nll) < 1e-12)
            }
        }
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

@Suite struct ForecastMetricsTests {
    @Test func crpsOfANormalMatchesTheClosedForm() {
        // CRPS(N(μ, σ), y) = σ (z (2Φ(z) − 1) + 2φ(z) − 1/√π).
        let d = StepDistribution(likelihood: .gaussian, mu: 1, sigma: 2)
        for y in [-3.0, 0.5, 1, 4] {
            let z = (y - 1) / 2
            let phi = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            let exact = 2 * (z * (2 * normalCDF(z) - 1) + 2 * phi - 1 / Double.pi.squareRoot())
            #expect(abs(ForecastMetrics.crps(y, quantile: d.quantile) - exact) < 0.02 * exact + 1e-3, "y \(y)")
        }
    }

    @Test func coverageMaseAndTheNaiveYardstick() {
        var m = ForecastMetrics()
        let d = StepDistribution(likelihood: .gaussian, mu: 0, sigma: 1)
        for y in [0.0, 1.0, -1.0, 3.0] {
            m.add(y, median: 0, lower: d.quantile(0.05), upper: d.quantile(0.95), quantile: d.quantile)
        }
        #expect(m.count == 4)
        #expect(m.coverage90 == 0.75)  // 3 lies outside ±1.645
        #expect(m.meanAbsoluteError == 1.25)
        // |1-1|, |4-2|, (nil skipped), |2-4|: 4/3.
        #expect(abs(ForecastMetrics.seasonalNaiveError([1, 2, 1, 4, nil, 2], season: 2) - 4.0 / 3) < 1e-12)
        #expect(m.mase(naiveError: 2.5) == 0.5)
    }

    @Test func aBaselineForecastIsASplitNormal() {
        let f = Forecast(mean: 10, lower: 8, upper: 14, warmedUp: true)
        #expect(abs(f.quantile(0.05) - 8) < 1e-9)
        #expect(abs(f.quantile(0.95) - 14) < 1e-9)
        #expect(abs(f.quantile(0.5) - 10) < 1e-9)
    }
}
