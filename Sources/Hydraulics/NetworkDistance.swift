/// Shortest distances along the network's links (pipe lengths; pumps and valves count
/// as zero), in metres: how far a field crew walks the mains from one node to another.
public struct NetworkDistance: Sendable {
    private let adjacency: [[(node: Int, metres: Double)]]

    /// `pipesOnly`: pumps and valves are no path at all (BattLeDIM's rule), not a zero step.
    public init(network: WaterNetwork, pipesOnly: Bool = false) {
        var adjacency = Array(repeating: [(node: Int, metres: Double)](), count: network.nodes.count)
        for link in network.links {
            let isPipe: Bool = if case .pipe = link.kind { true } else { false }
            if pipesOnly && !isPipe { continue }
            let metres = link.length * HydraulicUnits.metresPerFoot
            adjacency[link.from].append((link.to, metres))
            adjacency[link.to].append((link.from, metres))
        }
        self.adjacency = adjacency
    }

    /// Distances from `source` to every node (infinity where unreachable). Dijkstra with
    /// a linear scan: networks here have hundreds of nodes.
    public func from(_ source: Int) -> [Double] {
        var distance = Array(repeating: Double.infinity, count: adjacency.count)
        var done = Array(repeating: false, count: adjacency.count)
        distance[source] = 0
        for _ in adjacency.indices {
            var best = -1
            for i in adjacency.indices where !done[i] && distance[i].isFinite && (best < 0 || distance[i] < distance[best]) {
                best = i
            }
            guard best >= 0 else { break }
            done[best] = true
            for (next, metres) in adjacency[best] where distance[best] + metres < distance[next] {
                distance[next] = distance[best] + metres
            }
        }
        return distance
    }
}

/// Distances between pipes as BattLeDIM measures them: the shortest path along pipes
/// between the two pipes' midpoints (0 for the same pipe), in metres; pumps and valves are
/// no path.
public struct PipeDistance: Sendable {
    private let network: WaterNetwork
    private let distance: NetworkDistance
    private let linkIndex: [String: Int]

    public init(network: WaterNetwork) {
        self.network = network
        distance = NetworkDistance(network: network, pipesOnly: true)
        linkIndex = Dictionary(network.links.enumerated().map { ($1.id, $0) }) { first, _ in first }
    }

    /// Metres between the midpoints of pipes `a` and `b`; nil for an unknown pipe or none
    /// connecting them.
    public func metres(_ a: String, _ b: String) -> Double? {
        guard let i = linkIndex[a], let j = linkIndex[b] else { return nil }
        if i == j { return 0 }
        let (p, q) = (network.links[i], network.links[j])
        let (halfP, halfQ) = (p.length * HydraulicUnits.metresPerFoot / 2, q.length * HydraulicUnits.metresPerFoot / 2)
        var best = Double.infinity
        for end in [p.from, p.to] {
            let d = distance.from(end)
            best = min(best, halfP + min(d[q.from], d[q.to]) + halfQ)
        }
        return best.isFinite ? best : nil
    }
}
