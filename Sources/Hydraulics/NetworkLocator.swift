/// Where a leak most likely is, for one network and one set of pressure sensors: the
/// solver, its nominal state, the sensors' leak signatures and the localiser, built once
/// (the signatures cost one linear solve per junction) and then asked per event.
public struct NetworkLocator: Sendable {
    public struct Location: Sendable, Equatable {
        /// Junctions, best first, at most `top` of them.
        public var nodes: [LeakLocaliser.Candidate]
        /// Pipes touching those junctions, best first.
        public var pipes: [LeakLocaliser.PipeCandidate]
    }

    /// Metres of water head per bar (clean pressures are in bar): 1 / (ρ·g) with
    /// ρ = 1000 kg/m³, g = 9.80665 m/s².
    public static let metresOfHeadPerBar = 1 / 0.098_066_5

    public let network: WaterNetwork
    /// The nodes the pressure sensors sit on, in the order residuals are given.
    public let sensorNodeIDs: [String]
    private let solver: SteadyStateSolver
    private let base: HydraulicSnapshot
    private let localiser: LeakLocaliser

    /// Every id in `sensorNodeIDs` must be a node of `network`.
    public init(network: WaterNetwork, sensorNodeIDs: [String]) throws(HydraulicsError) {
        self.network = network
        self.sensorNodeIDs = sensorNodeIDs
        solver = try SteadyStateSolver(network: network)
        base = try solver.solve()
        localiser = LeakLocaliser(
            network: network,
            sensitivity: try LeakSensitivity(network: network, state: base, sensorNodeIDs: sensorNodeIDs))
    }

    /// Ranks junctions and pipes by how well a leak there explains `residualsM`
    /// (observed − expected head in metres at each sensor, nil where unknown). Empty when
    /// nothing moved.
    public func locate(residualsM: [Double?], top: Int = 5) -> Location {
        let ranked = localiser.refine(localiser.rank(residuals: residualsM), residuals: residualsM, solver: solver, base: base)
        return Location(nodes: Array(ranked.prefix(top)), pipes: Array(localiser.rankPipes(ranked).prefix(top)))
    }
}
