import Hydraulics
import Testing

@Suite struct InpReaderTests {
    static let small = """
        [TITLE]
        two pipes ; a comment
        [OPTIONS]
        Units LPS
        Headloss D-W
        Pattern day
        [JUNCTIONS]
        A 10 5
        B 12
        [RESERVOIRS]
        R 60
        [PIPES]
        P1 R A 1000 300 0.1
        P2 A B 500 200 0.1 0 CV
        [DEMANDS]
        B 2 night
        B 1
        [PATTERNS]
        day 1 2
        night 0.5
        [TIMES]
        Pattern Timestep 0:30
        [EMITTERS]
        B 0.5
        [COORDINATES]
        A 1 2
        [END]
        """

    @Test func readsSectionsAndConvertsUnits() throws {
        let network = try InpReader.read(Self.small)
        #expect(network.nodes.map(\.id) == ["A", "B", "R"])
        #expect(network.options.units == .lps && network.options.headloss == .darcyWeisbach)
        #expect(network.options.patternStepS == 1800)
        #expect(network.links[network.linkIndex["P2"]!].kind == .pipe(checkValve: true))
        // 300 mm → ft; 0.1 mm roughness → ft.
        #expect(abs(network.links[0].diameter - 300 / 304.8) < 1e-12)
        #expect(abs(network.links[0].roughness - 0.1 / 304.8) < 1e-12)
        // [DEMANDS] replaces B's demand: 2 L/s on "night" and 1 L/s on the default pattern.
        let b = network.nodes[network.nodeIndex["B"]!]
        #expect(b.demands.count == 2 && b.demands[0].pattern == "night" && b.demands[1].pattern == nil)
        #expect(b.emitterCoefficient > 0)
        #expect(network.multiplier("day", atS: 1800) == 2 && network.multiplier("day", atS: 3600) == 1)
        #expect(network.nodes[0].x == 1 && network.nodes[1].x == nil)
        // The demand-driven state balances: the reservoir supplies demands plus emitter, and
        // its own "demand" is that supply, negative.
        let state = try SteadyStateSolver(network: network).solve()
        let supplied = state.flow[0]
        let junctions = network.nodes.indices.filter { network.nodes[$0].isJunction }
        let drawn = junctions.reduce(0) { $0 + state.demand[$1] } + state.emitterFlow.reduce(0, +)
        #expect(abs(supplied - drawn) < 1e-6)
        #expect(abs(state.demand[network.nodeIndex["R"]!] + supplied) < 1e-6)
        #expect(state.emitterFlow[1] > 0)
    }

    @Test func refusesBadInputWithTheLine() {
        #expect(throws: HydraulicsError.unknownReference(line: 4, "link P: no node 'X'")) {
            try InpReader.read("[JUNCTIONS]\nA 1\n[PIPES]\nP A X 10 100 100\n")
        }
        #expect(throws: HydraulicsError.syntax(line: 2, "elevation 'high' is not a number")) {
            try InpReader.read("[JUNCTIONS]\nA high\n")
        }
        #expect(throws: HydraulicsError.duplicate("node", "A")) {
            try InpReader.read("[JUNCTIONS]\nA 1\n[RESERVOIRS]\nA 5\n")
        }
    }

    @Test func aJunctionCutOffFromEveryFixedHeadIsNamed() throws {
        let network = try InpReader.read("[JUNCTIONS]\nA 1 1\nB 1 1\n[RESERVOIRS]\nR 10\n[PIPES]\nP A B 100 100 100\n")
        #expect(throws: HydraulicsError.singular(node: "A")) { try SteadyStateSolver(network: network).solve() }
    }
}
