import Foundation
import Hydraulics
import Testing

/// Extended-period runs against EPANET's (fixtures made by bench/hydraulics/make-fixtures.py):
/// the tanks' heads and the statuses of pumps, valves and controlled links at every report
/// time, and whole solutions at a few of them, with the tolerances of ``SolverFixtureTests``.
@Suite struct ExtendedPeriodFixtureTests {
    struct Snapshot: Decodable {
        let nodes: [String: SolverFixtureTests.NodeValue]
        let links: [String: SolverFixtureTests.LinkValue]
    }
    struct Expected: Decodable {
        let duration_s: Int
        let report_step_s: Int
        let times: [Int]
        let tank_heads: [String: [Double]]
        let link_status: [String: [String]]
        let snapshots: [String: Snapshot]
    }

    @Test(arguments: [
        ("ltown.inp", "ltown.eps.expected.json"), ("pumps.inp", "pumps.eps.expected.json"),
        ("controls.inp", "controls.eps.expected.json"),
    ])
    func matchesEPANETOverTime(_ inp: String, _ expectedFile: String) throws {
        var network = try SolverFixtureTests.network(inp)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: SolverFixtureTests.fixture(expectedFile)))
        // EPANET ran for the fixture's duration (L-Town's file asks for a week).
        network.options.durationS = expected.duration_s
        #expect(network.options.reportStepS == expected.report_step_s)
        let solver = try SteadyStateSolver(network: network)
        let reported = try ExtendedPeriodSimulation.run(solver)
        #expect(reported.map(\.timeS) == expected.times)
        var worstTank = 0.0
        var statusMismatches: [String] = []
        for (r, state) in reported.enumerated() where r < expected.times.count {
            for (id, heads) in expected.tank_heads {
                let i = try #require(network.nodeIndex[id])
                worstTank = max(worstTank, abs(state.head[i] - heads[r]))
                #expect(abs(state.head[i] - heads[r]) <= 0.05, "\(expectedFile) t=\(state.timeS): tank \(id) at \(state.head[i]) m, EPANET \(heads[r]) m")
            }
            for (id, statuses) in expected.link_status {
                let k = try #require(network.linkIndex[id])
                if state.status[k].description != statuses[r] {
                    statusMismatches.append("t=\(state.timeS) \(id): \(state.status[k]), EPANET \(statuses[r])")
                }
            }
            if let snapshot = expected.snapshots[String(state.timeS)] {
                _ = try SolverFixtureTests.compare(state, snapshot.nodes, snapshot.links, network, label: "\(expectedFile) t=\(state.timeS)")
            }
        }
        #expect(statusMismatches.isEmpty, "\(expectedFile): \(statusMismatches.prefix(20))")
        print("\(expectedFile): \(reported.count) report times, worst tank head error \(worstTank) m")
    }
}
