import Foundation
import Hydraulics
import Testing

/// The solver against EPANET's own solutions (fixtures made by
/// bench/hydraulics/make-fixtures.py with wntr's EPANET 2.2 run): heads within 0.05 m,
/// flows within 0.5 % (or 1e-5 m³/s for links that carry next to nothing), and every
/// link's status (open, closed or active) as EPANET reports it.
@Suite struct SolverFixtureTests {
    struct NodeValue: Decodable { let head: Double }
    struct LinkValue: Decodable { let flow: Double; let status: String }
    struct Expected: Decodable {
        let time_s: Int
        let tank_heads: [String: Double]?
        let nodes: [String: NodeValue]
        let links: [String: LinkValue]
    }

    static func fixture(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures"))
    }

    static func network(_ inp: String) throws -> WaterNetwork {
        try InpReader.read(String(contentsOf: fixture(inp), encoding: .utf8))
    }

    @Test(arguments: [
        ("net1.inp", "net1.expected.json"), ("net1.inp", "net1.t7200.expected.json"),
        ("net3.inp", "net3.expected.json"), ("net3.inp", "net3.t7200.expected.json"),
        ("leakdb-net1.inp", "leakdb-net1.expected.json"), ("hanoi.inp", "hanoi.expected.json"),
        ("ltown.inp", "ltown.expected.json"),
        ("valves-pressure.inp", "valves-pressure.expected.json"), ("valves-flow.inp", "valves-flow.expected.json"),
        ("pda.inp", "pda.expected.json"),
    ])
    func matchesEPANET(_ inp: String, _ expectedFile: String) throws {
        let network = try Self.network(inp)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: Self.fixture(expectedFile)))
        let solver = try SteadyStateSolver(network: network)
        let state = try solver.solve(atS: expected.time_s, fixedHeads: expected.tank_heads ?? [:])
        #expect(expected.nodes.count == network.nodes.count)
        #expect(expected.links.count == network.links.count)
        let (worstHead, worstFlow) = try Self.compare(state, expected.nodes, expected.links, network, label: expectedFile)
        print("\(expectedFile): worst head error \(worstHead) m, worst relative flow error \(worstFlow), \(state.trials) trials")
    }

    /// Checks one solution against EPANET's; returns the worst head error (m) and the worst
    /// relative flow error.
    static func compare(
        _ state: HydraulicSnapshot, _ nodes: [String: NodeValue], _ links: [String: LinkValue], _ network: WaterNetwork,
        label: String
    ) throws -> (Double, Double) {
        var worstHead = 0.0
        for (id, value) in nodes {
            let i = try #require(network.nodeIndex[id])
            let error = abs(state.head[i] - value.head)
            worstHead = max(worstHead, error)
            #expect(error <= 0.05, "\(label): head at node \(id) is \(state.head[i]) m, EPANET \(value.head) m")
        }
        var worstFlow = 0.0
        for (id, value) in links {
            let k = try #require(network.linkIndex[id])
            let error = abs(state.flow[k] - value.flow)
            let allowed = max(0.005 * abs(value.flow), 1e-5)
            worstFlow = max(worstFlow, error / max(abs(value.flow), 1e-5))
            #expect(error <= allowed, "\(label): flow in link \(id) is \(state.flow[k]) m³/s, EPANET \(value.flow) m³/s")
            #expect(state.status[k].description == value.status, "\(label): link \(id) is \(state.status[k]), EPANET \(value.status)")
        }
        return (worstHead, worstFlow)
    }
}
