/// Shortest distances along the network's links (pipe lengths; pumps and valves count
/// as zero), in metres: how far a field crew walks the mains from one node to another.
public struct NetworkDistance: Sendable {
    private let adjacency: [[(node: Int, metres: Double)]]

    public init(network: WaterNetwork) {
        var adjacency = Array(repeating: [(node: Int, metres: Double)](), count: network.nodes.count)
        for link in network.links {
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
