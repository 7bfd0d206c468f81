import Foundation

/// The distribution DeepAR's output layer parametrises for each step.
public enum Likelihood: String, Sendable, Codable, CaseIterable {
    /// Normal: location μ and scale σ.
    case gaussian
    /// Student's t: location μ, scale σ and degrees of freedom ν > 2, whose heavier
    /// tails keep one odd reading from dragging the model (the DeepAR paper's choice
    /// for count-free real data is Gaussian; sensor data has outliers).
    case studentT

    /// How many raw network outputs the distribution takes.
    public var parameterCount: Int { self == .gaussian ? 2 : 3 }

    /// The smallest degrees of freedom: the variance stays finite.
    static let minimumDegreesOfFreedom = 2.0
    /// The smallest scale, in the series' scaled units.
    static let minimumScale = 1e-3
}

/// A distribution for one step, in the series' scaled units.
public struct StepDistribution: Sendable, Equatable {
    public var likelihood: Likelihood
    public var mu: Double
    public var sigma: Double
    /// Degrees of freedom (Student's t only).
    public var nu: Double

    /// From the network's raw outputs: μ as is, σ = softplus + minimum, ν = softplus + 2.
    init(likelihood: Likelihood, raw: UnsafeBufferPointer<Double>) {
        self.likelihood = likelihood
        mu = raw[0]
        sigma = softplus(raw[1]) + Likelihood.minimumScale
        nu = likelihood == .studentT ? softplus(raw[2]) + Likelihood.minimumDegreesOfFreedom : .infinity
    }

    public init(likelihood: Likelihood, mu: Double, sigma: Double, nu: Double = .infinity) {
        self.likelihood = likelihood
        self.mu = mu
        self.sigma = sigma
        self.nu = nu
    }

    /// The negative log density of `y`, and its gradient with respect to the raw
    /// outputs (written into `gradient`, scaled by `weight`).
    func negativeLogLikelihood(_ y: Double, raw: UnsafeBufferPointer<Double>, weight: Double, gradient: UnsafeMutableBufferPointer<Double>) -> Double {
        let z = (y - mu) / sigma
        let dSigmaDRaw = sigmoid(raw[1])  // softplus′
        switch likelihood {
        case .gaussian:
            let nll = 0.5 * z * z + log(sigma) + 0.5 * log(2 * Double.pi)
            gradient[0] += weight * (-z / sigma)
            gradient[1] += weight * ((1 - z * z) / sigma) * dSigmaDRaw
            return nll
        case .studentT:
            let q = 1 + z * z / nu
            let nll = -lgamma((nu + 1) / 2) + lgamma(nu / 2) + 0.5 * log(nu * Double.pi) + log(sigma) + (nu + 1) / 2 * log(q)
            // ∂/∂μ and ∂/∂σ of (ν+1)/2·log(1 + z²/ν) with z = (y−μ)/σ.
            let dMu = -(nu + 1) / (nu * q) * z / sigma
            let dSigma = 1 / sigma - (nu + 1) / (nu * q) * z * z / sigma
            let dNu = -0.5 * digamma((nu + 1) / 2) + 0.5 * digamma(nu / 2) + 0.5 / nu
                + 0.5 * log(q) - (nu + 1) / 2 * (z * z / (nu * nu)) / q
            gradient[0] += weight * dMu
            gradient[1] += weight * dSigma * dSigmaDRaw
            gradient[2] += weight * dNu * sigmoid(raw[2])
            return nll
        }
    }

    /// The p-quantile (Student's t by its normal approximation through the
    /// Cornish–Fisher expansion, accurate for ν ≥ 3 to a few percent of σ).
    public func quantile(_ p: Double) -> Double {
        let zq = normalQuantile(p)
        guard likelihood == .studentT, nu.isFinite else { return mu + sigma * zq }
        let g1 = (zq * zq * zq + zq) / 4
        let g2 = (5 * pow(zq, 5) + 16 * zq * zq * zq + 3 * zq) / 96
        let g3 = (3 * pow(zq, 7) + 19 * pow(zq, 5) + 17 * zq * zq * zq - 15 * zq) / 384
        return mu + sigma * (zq + g1 / nu + g2 / (nu * nu) + g3 / (nu * nu * nu))
    }

    /// The log density of `y` (in the distribution's units).
    public func logDensity(_ y: Double) -> Double {
        let z = (y - mu) / sigma
        switch likelihood {
        case .gaussian:
            return -0.5 * z * z - log(sigma) - 0.5 * log(2 * Double.pi)
        case .studentT:
            return lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * log(nu * Double.pi) - log(sigma)
                - (nu + 1) / 2 * log(1 + z * z / nu)
        }
    }

    /// A draw from the distribution.
    func sample<G: RandomNumberGenerator>(using rng: inout G) -> Double {
        let u = Double.random(in: Double.ulpOfOne..<1, using: &rng)
        return quantile(u)
    }
}
