/// One steady-state solution, in SI: heads and pressures in metres of water, flows and
/// demands in m³/s. Indexed like the network's nodes and links.
public struct HydraulicSnapshot: Sendable {
    public let timeS: Int
    public let head: [Double]
    /// Head − elevation (for a tank, its level; for a reservoir, 0).
    public let pressure: [Double]
    /// The demand each junction drew (emitters apart).
    public let demand: [Double]
    public let emitterFlow: [Double]
    /// Signed: positive from the link's first node to its second.
    public let flow: [Double]
    public let linkOpen: [Bool]
    public let trials: Int
    public let relativeFlowChange: Double
    /// The factorised gradient matrix at the solution, for sensitivities.
    let jacobian: CholeskySystem
    let junctionRow: [Int?]
}
