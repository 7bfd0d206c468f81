import Foundation

/// How a zone's pressures moved because of a leak, measured against what its demand
/// explains — the residuals a leak is located from.
///
/// Each pressure sensor is predicted from the zone's demand d (its net inflow) and the
/// values that also shape its heads, its outlets' flows and its tanks' levels (`covariates`):
/// p ≈ β·[1, d, d², x…]. The fit is exponentially weighted least squares over the steps
/// without an alarm (time constant `memoryMs`, a week), so it follows the seasons and the
/// valves' settings but stands still while the zone is alarmed. During an alarm each step's
/// residual is taken against the demand without the leak (the net inflow less the balance
/// detector's excess): the pressure the leak's own flow costs each sensor, which a network
/// model matches against each junction's leak signature. Forecast residuals cannot do this
/// for a leak that grows over days: the forecast learns it as it grows.
///
/// A step is fitted once every value of it has arrived: when the next step's verdict comes
/// (a zone's points are released slot by slot, so the one before is then complete).
public struct PressureRegression: Sendable, Codable, Equatable {
    /// How fast old steps fade from the fit.
    public static let memoryMs: Int64 = 7 * 86_400_000
    /// Fitted steps (in data time, with their fading) before a sensor's fit is used.
    public static let readyAfterMs: Int64 = 86_400_000
    /// A silence longer than this counts as this long in the fit's weights.
    static let longestStepMs: Int64 = 3_600_000
    /// How far back alarmed steps are kept: two days, twice the window an event averages
    /// over (an event whose window has passed takes no more residuals).
    static let keptResidualMs: Int64 = 2 * 86_400_000
    /// Values kept per sensor while the balance judges no step (an inlet gone silent).
    static let maxPendingValues = 1_440

    /// One sensor's weighted normal equations, over its features in `covariates`' order.
    struct Fit: Sendable, Codable, Equatable {
        var xtx: [Double]
        var xty: [Double]
        /// The fitted steps' weight in data time (ms), after fading.
        var weightMs: Double
    }

    /// A judged step of the zone's balance, waiting for its values.
    struct Step: Sendable, Codable, Equatable {
        var tsMs: Int64
        var demand: Double
        var leakFreeDemand: Double
        var alarmed: Bool
    }

    public struct TimedValue: Sendable, Codable, Equatable {
        public var tsMs: Int64
        public var value: Double
    }

    /// The outlets and tanks whose values are features, in the order the fits use.
    private(set) var covariates: [String] = []
    private var fits: [String: Fit] = [:]
    /// Values of steps not yet fitted, per sensor, in arrival order (an array, not a
    /// dictionary by time, so that a state encodes to the same bytes every time).
    private var values: [String: [TimedValue]] = [:]
    /// Each covariate's last fitted value, for a step it did not report.
    private var lastCovariates: [String: Double] = [:]
    private var queued: [Step] = []
    private var fittedThroughMs: Int64?
    private var lastFitMs: Int64?
    /// Per pressure sensor: its residuals on alarmed steps, oldest first.
    private(set) var residuals: [String: [TimedValue]] = [:]

    public init() {}

    /// A pressure sensor's value (`isCovariate` false) or an outlet's flow or tank's level.
    public mutating func add(sensorID: String, tsMs: Int64, value: Double, isCovariate: Bool) {
        guard value.isFinite, tsMs > (fittedThroughMs ?? .min) else { return }
        if isCovariate, !covariates.contains(sensorID) {
            // A new feature: the fits so far have one column fewer and start again.
            covariates = (covariates + [sensorID]).sorted()
            fits = [:]
            lastFitMs = nil
        }
        // Appended only (a repeated time's newest value is the one `value(of:at:)` finds).
        values[sensorID, default: []].append(TimedValue(tsMs: tsMs, value: value))
        if let n = values[sensorID]?.count, n > 2 * Self.maxPendingValues { values[sensorID]!.removeFirst(n - Self.maxPendingValues) }
    }

    /// The zone's balance judged a step: every step before it is complete and is fitted
    /// (not alarmed) or measured against its fit (alarmed).
    public mutating func addStep(tsMs: Int64, demand: Double, leakFreeDemand: Double, alarmed: Bool) {
        guard demand.isFinite, leakFreeDemand.isFinite, tsMs > (queued.last?.tsMs ?? fittedThroughMs ?? .min) else { return }
        var ready = queued.prefix { $0.tsMs < tsMs }
        queued.removeFirst(ready.count)
        queued.append(Step(tsMs: tsMs, demand: demand, leakFreeDemand: leakFreeDemand, alarmed: alarmed))
        while let step = ready.popFirst() { fit(step) }
    }

    /// Whether at least two sensors' fits have a day of steps behind them.
    public var isReady: Bool {
        fits.values.filter { $0.weightMs >= Double(Self.readyAfterMs) }.count >= 2
    }

    /// Each sensor's mean residual over the alarmed steps in [`startMs`, `startMs` +
    /// `windowMs`); a sensor without any is left out.
    public func meanResiduals(from startMs: Int64, windowMs: Int64) -> [String: Double] {
        var out: [String: Double] = [:]
        for (id, steps) in residuals {
            let within = steps.filter { $0.tsMs >= startMs && $0.tsMs < startMs + windowMs }
            if !within.isEmpty { out[id] = within.reduce(0) { $0 + $1.value } / Double(within.count) }
        }
        return out
    }

    /// The first alarmed step measured at or after `startMs`.
    public func firstResidualMs(from startMs: Int64) -> Int64? {
        residuals.values.compactMap { $0.first { $0.tsMs >= startMs }?.tsMs }.min()
    }

    /// Values waiting for their step, all sensors together.
    var pendingValues: Int { values.values.reduce(0) { $0 + $1.count } }

    /// The time of the newest alarmed step measured.
    public var lastResidualMs: Int64? { residuals.values.compactMap { $0.last?.tsMs }.max() }

    private mutating func fit(_ step: Step) {
        var x = [1, step.demand, step.demand * step.demand]
        var leakFree = [1, step.leakFreeDemand, step.leakFreeDemand * step.leakFreeDemand]
        for id in covariates {
            guard let v = value(of: id, at: step.tsMs) ?? lastCovariates[id] else { return forgetThrough(step.tsMs) }
            lastCovariates[id] = v
            x.append(v)
            leakFree.append(v)
        }
        let pressures = values.keys.filter { !covariates.contains($0) }.sorted()
        if step.alarmed {
            for id in pressures {
                guard let p = value(of: id, at: step.tsMs), let fit = fits[id], fit.weightMs >= Double(Self.readyAfterMs),
                    let beta = Self.solve(fit)
                else { continue }
                let predicted = zip(beta, leakFree).reduce(0) { $0 + $1.0 * $1.1 }
                residuals[id, default: []].append(TimedValue(tsMs: step.tsMs, value: p - predicted))
                // Trimmed an hour at a time, not on every step.
                if let first = residuals[id]?.first, first.tsMs < step.tsMs - Self.keptResidualMs - 3_600_000 {
                    residuals[id]!.removeAll { $0.tsMs < step.tsMs - Self.keptResidualMs }
                }
            }
        } else {
            let dt = Double(min(Self.longestStepMs, max(0, step.tsMs - (lastFitMs ?? step.tsMs))))
            let fade = exp(-dt / Double(Self.memoryMs))
            let k = x.count
            for id in pressures {
                guard let p = value(of: id, at: step.tsMs) else { continue }
                var f = fits[id] ?? Fit(xtx: Array(repeating: 0, count: k * k), xty: Array(repeating: 0, count: k), weightMs: 0)
                for i in 0..<(k * k) { f.xtx[i] *= fade }
                for i in 0..<k { f.xty[i] *= fade }
                for i in 0..<k {
                    for j in 0..<k { f.xtx[i * k + j] += x[i] * x[j] }
                    f.xty[i] += x[i] * p
                }
                f.weightMs = f.weightMs * fade + dt
                fits[id] = f
            }
            lastFitMs = step.tsMs
        }
        forgetThrough(step.tsMs)
    }

    private func value(of id: String, at tsMs: Int64) -> Double? {
        values[id]?.last { $0.tsMs == tsMs }?.value
    }

    /// Drops the values of steps up to `tsMs` (fitted, or missing a covariate).
    private mutating func forgetThrough(_ tsMs: Int64) {
        fittedThroughMs = tsMs
        for id in values.keys { values[id]!.removeAll { $0.tsMs <= tsMs } }
    }

    /// β from a fit's normal equations, columns scaled to their diagonal and a tiny ridge
    /// so that collinear features (a pump that never ran) do not fail; nil if singular.
    static func solve(_ fit: Fit) -> [Double]? {
        let k = fit.xty.count
        let scale = (0..<k).map { fit.xtx[$0 * k + $0] > 0 ? fit.xtx[$0 * k + $0].squareRoot() : 1 }
        var a = (0..<k).map { i in (0..<k).map { j in fit.xtx[i * k + j] / (scale[i] * scale[j]) } + [fit.xty[i] / scale[i]] }
        for i in 0..<k { a[i][i] += 1e-9 }
        for col in 0..<k {
            guard let pivot = (col..<k).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-14 else { return nil }
            a.swapAt(col, pivot)
            for r in 0..<k where r != col {
                let factor = a[r][col] / a[col][col]
                for c in col...k { a[r][c] -= factor * a[col][c] }
            }
        }
        return (0..<k).map { a[$0][k] / a[$0][$0] / scale[$0] }
    }
}
