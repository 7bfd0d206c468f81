/// What the gradient algorithm carries from one trial to the next, and in an extended-
/// period run from one time step to the next (EPANET warm-starts each step from the last
/// one): heads, flows, link statuses and settings, demands. Internal units (ft, cfs).
struct HydraulicState: Sendable {
    var head: [Double]
    var flow: [Double]
    var status: [LinkStatus]
    /// Pump speed, valve setting; nil for a valve whose status is fixed (EPANET's MISSING).
    var setting: [Double?]
    /// Junctions: the demand asked for. Tanks and reservoirs: their net inflow once solved.
    var nodeDemand: [Double]
    /// Junctions: the demand delivered (what was asked, unless pressure-driven).
    var demandFlow: [Double]
    var emitterFlow: [Double]
}

/// How a balance ended.
struct Balance: Sendable {
    var trials: Int
    var relativeError: Double
    /// Within the accuracy asked for; false only when unbalanced runs may continue.
    var converged: Bool
    var system: CholeskySystem
}
