/// Ranks where a leak most likely is from how the sensors' pressures moved against their
/// forecasts: each junction's sensitivity signature is fitted to the observed residuals
/// (leak size ≥ 0, least squares) and scored by the share of the residuals it explains.
/// Pipes are ranked by their better end node, nudged by the other end.
public struct LeakLocaliser: Sendable {
    public struct Candidate: Sendable, Equatable {
        public var nodeID: String
        /// Share of the residuals' sum of squares the fit explains, 0...1.
        public var score: Double
        /// The leak size that fits best, m³/h.
        public var leakM3h: Double
        public var x: Double?
        public var y: Double?
    }

    public struct PipeCandidate: Sendable, Equatable {
        public var linkID: String
        public var score: Double
    }

    public let network: WaterNetwork
    public let sensitivity: LeakSensitivity

    public init(network: WaterNetwork, sensitivity: LeakSensitivity) {
        self.network = network
        self.sensitivity = sensitivity
    }

    /// `residuals` are observed − forecast head (m) at each sensor, in the order of
    /// `sensitivity.sensorNodes`; missing ones are nil and left out of the fit.
    public func rank(residuals: [Double?]) -> [Candidate] {
        guard let (used, r, total) = Self.observed(residuals) else { return [] }
        var out: [Candidate] = []
        for (c, node) in sensitivity.candidates.enumerated() {
            guard let (q, explained) = Self.fit(used.map { sensitivity.signature[c][$0] }, to: r, total: total) else { continue }
            let n = network.nodes[node]
            out.append(Candidate(nodeID: n.id, score: explained, leakM3h: q, x: n.x, y: n.y))
        }
        return out.sorted { $0.score != $1.score ? $0.score > $1.score : $0.nodeID < $1.nodeID }
    }

    /// Re-scores the `top` best candidates with the full (nonlinear) solver: each leak is
    /// simulated at its node, its size refitted twice to the residuals, and the share
    /// explained recomputed. Breaks the near-ties of the linear signatures between nodes
    /// joined by short or wide pipes. `base` is the state the residuals are measured
    /// against (the same demands and fixed heads, no leak).
    public func refine(
        _ ranked: [Candidate], residuals: [Double?], solver: SteadyStateSolver, base: HydraulicSnapshot,
        fixedHeads: [String: Double] = [:], top: Int = 10
    ) -> [Candidate] {
        guard let (used, r, total) = Self.observed(residuals) else { return ranked }
        var refined: [Candidate] = []
        for var candidate in ranked.prefix(top) where candidate.leakM3h > 0 {
            var q = candidate.leakM3h
            var explained = candidate.score
            for _ in 0..<2 {
                guard let state = try? solver.solve(
                    atS: base.timeS, fixedHeads: fixedHeads, extraDemands: [candidate.nodeID: q / 3600])
                else { break }
                let s = used.map { i in
                    let node = sensitivity.sensorNodes[i]
                    return (state.head[node] - base.head[node]) / q
                }
                guard let (fitted, share) = Self.fit(s, to: r, total: total) else { break }
                explained = share
                guard fitted > 0 else { break }
                q = fitted
            }
            candidate.leakM3h = q
            candidate.score = explained
            refined.append(candidate)
        }
        let rest = ranked.dropFirst(min(top, ranked.count)).filter { c in !refined.contains { $0.nodeID == c.nodeID } }
        return refined.sorted { $0.score != $1.score ? $0.score > $1.score : $0.nodeID < $1.nodeID } + rest
    }

    /// The sensors with a residual, their residuals and the residuals' sum of squares;
    /// nil when nothing moved.
    static func observed(_ residuals: [Double?]) -> (used: [Int], values: [Double], total: Double)? {
        let used = residuals.indices.filter { residuals[$0] != nil }
        let values = used.map { residuals[$0]! }
        let total = values.reduce(0) { $0 + $1 * $1 }
        return total > 0 ? (used, values, total) : nil
    }

    /// The leak size (≥ 0) that best scales `signature` onto `residuals`, and the share
    /// of the residuals' sum of squares (`total`) it explains; nil for a flat signature.
    static func fit(_ signature: [Double], to residuals: [Double], total: Double) -> (size: Double, explained: Double)? {
        let ss = signature.reduce(0) { $0 + $1 * $1 }
        guard ss > 0 else { return nil }
        let q = max(0, zip(signature, residuals).reduce(0) { $0 + $1.0 * $1.1 } / ss)
        let sse = zip(signature, residuals).reduce(0) { sum, pair in
            let e = pair.1 - q * pair.0
            return sum + e * e
        }
        return (q, max(0, 1 - sse / total))
    }

    /// Pipes touching the ranked nodes, each scored 0.75 × its better end + 0.25 × the other.
    public func rankPipes(_ nodes: [Candidate]) -> [PipeCandidate] {
        let score = Dictionary(nodes.map { ($0.nodeID, $0.score) }, uniquingKeysWith: max)
        var out: [PipeCandidate] = []
        for link in network.links {
            guard case .pipe = link.kind else { continue }
            let a = score[network.nodes[link.from].id] ?? 0
            let b = score[network.nodes[link.to].id] ?? 0
            guard max(a, b) > 0 else { continue }
            out.append(PipeCandidate(linkID: link.id, score: 0.75 * max(a, b) + 0.25 * min(a, b)))
        }
        return out.sorted { $0.score != $1.score ? $0.score > $1.score : $0.linkID < $1.linkID }
    }
}
