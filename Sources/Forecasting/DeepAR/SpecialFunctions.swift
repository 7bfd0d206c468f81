import Foundation

/// The logistic function.
@inline(__always) func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
}

/// tanh through one exponential: 2σ(2x) − 1 (libm's tanh costs twice as much; the
/// difference is within a few ulps, far below anything a forecast resolves).
@inline(__always) func fastTanh(_ x: Double) -> Double {
    2 * sigmoid(2 * x) - 1
}

/// log(1 + eˣ), without overflow: maps any real to a positive scale.
@inline(__always) func softplus(_ x: Double) -> Double {
    x > 30 ? x : log1p(exp(x))
}

/// ψ(x), the derivative of log Γ(x), for x > 0: recurrence up to x ≥ 6, then the
/// asymptotic series (error below 1e-12 there).
func digamma(_ x: Double) -> Double {
    var x = x
    var result = 0.0
    while x < 6 {
        result -= 1 / x
        x += 1
    }
    let f = 1 / (x * x)
    result += log(x) - 0.5 / x
        - f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
    return result
}

/// The standard normal quantile (Acklam's rational approximation, refined by one
/// Halley step: relative error below 1e-12).
func normalQuantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "a probability strictly between 0 and 1")
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    var x: Double
    if p < 0.02425 {
        let q = (-2 * log(p)).squareRoot()
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else if p > 1 - 0.02425 {
        let q = (-2 * log(1 - p)).squareRoot()
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    } else {
        let q = p - 0.5
        let r = q * q
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
    let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
    let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
    x -= u / (1 + x * u / 2)
    return x
}

/// The standard normal distribution function.
func normalCDF(_ x: Double) -> Double {
    0.5 * erfc(-x / 2.0.squareRoot())
}
