import Hydraulics
import Testing

/// BattLeDIM's pipe distance: along pipes between midpoints; pumps and valves are no path.
@Suite struct PipeDistanceTests {
    /// R → P1 (100 m) → A → P2 (300 m) → B → P3 (50 m) → C, and a pump from A to D,
    /// then P4 (200 m) from D to E.
    static let network = """
        [OPTIONS]
        Units LPS
        [JUNCTIONS]
        A 10
        B 10
        C 10
        D 10
        E 10
        [RESERVOIRS]
        R 60
        [PIPES]
        P1 R A 100 300 100
        P2 A B 300 200 100
        P3 B C 50 200 100
        P4 D E 200 200 100
        [PUMPS]
        PU A D POWER 10
        """

    @Test func midpointToMidpointAlongPipesOnly() throws {
        let distance = PipeDistance(network: try InpReader.read(Self.network))
        #expect(distance.metres("P2", "P2") == 0)
        #expect(abs(distance.metres("P1", "P2")! - 200) < 1e-9)  // 50 + 150
        #expect(abs(distance.metres("P1", "P3")! - 375) < 1e-9)  // 50 + 300 + 25
        #expect(abs(distance.metres("P3", "P1")! - 375) < 1e-9)
        #expect(distance.metres("P1", "P4") == nil)  // only through the pump
        #expect(distance.metres("P1", "nope") == nil)
    }
}
