/// One steady-state solution, in SI: heads and pressures in metres of water, flows and
/// demands in m³/s. Indexed like the network's nodes and links.
public struct HydraulicSnapshot: Sendable {
    public let timeS: Int
    public let head: [Double]
    /// Head − elevation (for a tank, its level; for a reservoir, 0).
    public let pressure: [Double]
    /// The demand each junction drew (emitters apart); at a tank or reservoir, its net
    /// inflow (negative when it supplies).
    public let demand: [Double]
    public let emitterFlow: [Double]
    /// Signed: positive from the link's first node to its second; 0 when closed.
    public let flow: [Double]
    public let status: [LinkStatus]
    public let trials: Int
    public let relativeFlowChange: Double
    /// False when the trials ran out and the network's options let an unbalanced
    /// solution through (UNBALANCED CONTINUE).
    public let balanced: Bool
    /// The factorised gradient matrix at the solution, for sensitivities.
    let jacobian: CholeskySystem
    let junctionRow: [Int?]

    public var linkOpen: [Bool] { status.map { !$0.isClosed } }
}
