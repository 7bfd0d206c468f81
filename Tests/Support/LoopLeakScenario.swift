import Foundation
import Hydraulics
import Simulation

/// A scenario the hydraulic solver simulates, for tests of leak detection, localisation
/// and loss: a loop of six junctions fed by one reservoir, 21 days at 30-minute steps,
/// weekly demand (weekends 10 % higher) with 3 % noise per junction, and a 12 m³/h leak at junction J5 from day
/// 16. Sensors: the inlet flow on P0 and a pressure sensor at every junction, placed on
/// the map from the network's coordinates (metres east and north of 47° N, 8° E).
public enum LoopLeakScenario {
    public static let network = """
        [TITLE]
        a loop of six junctions fed by one reservoir
        [OPTIONS]
        Units CMH
        Headloss H-W
        [JUNCTIONS]
        J1 10 20
        J2 12 20
        J3 11 20
        J4 9 20
        J5 13 20
        J6 10 20
        [RESERVOIRS]
        R 70
        [PIPES]
        P0 R J1 800 300 120
        P1 J1 J2 600 200 120
        P2 J2 J3 700 150 120
        P3 J3 J6 500 150 120
        P4 J1 J4 650 200 120
        P5 J4 J5 900 150 120
        P6 J5 J6 400 100 120
        P7 J2 J5 750 100 120
        [COORDINATES]
        R 0 0
        J1 100 0
        J2 200 0
        J3 300 0
        J4 100 -100
        J5 200 -100
        J6 300 -100
        [END]
        """
    public static let stepMs: Int64 = 1_800_000
    public static let startMs: Int64 = 1_767_571_200_000
    public static let leakNode = "J5"
    public static let leakM3h = 12.0
    public static let leakStep = 16 * 48
    public static let steps = 21 * 48

    /// Simulates the scenario and writes its folder (with the network file). Weekend days
    /// draw `weekendBoost` more than weekdays (0.1: 10 % of the base demand).
    public static func write(to dir: URL, weekendBoost: Double = 0.1) throws -> Scenario {
        let network = try InpReader.read(Self.network)
        let solver = try SteadyStateSolver(network: network)
        let junctions = network.nodes.filter(\.isJunction).map(\.id)
        var rng = SeededGenerator(seed: 2024)
        var readings: [ScenarioReading] = []
        for step in 0..<steps {
            let ts = startMs + Int64(step) * stepMs
            let hour = Double(step % 48) / 2
            let weekend = (step / 48) % 7 >= 5 ? weekendBoost : 0
            let pattern = 1 + 0.5 * sin((hour - 6) / 24 * 2 * .pi) + weekend
            // Each junction's demand is 20 m³/h × pattern × (1 + 3% noise); the file's base
            // demand is 20, so the solver takes the difference as extra demand.
            var extra: [String: Double] = [:]
            for j in junctions { extra[j] = 20 * (pattern * (1 + 0.03 * rng.nextGaussian()) - 1) / 3600 }
            if step >= leakStep { extra[leakNode, default: 0] += leakM3h / 3600 }
            let solved = try solver.solve(extraDemands: extra)
            readings.append(.init(sensorId: "loop-f-P0", tsMs: ts, value: solved.flow[network.linkIndex["P0"]!] * 3600))
            for j in junctions {
                readings.append(.init(sensorId: "loop-p-\(j)", tsMs: ts, value: solved.pressure[network.nodeIndex[j]!]))
            }
        }
        var sensors = [ScenarioSensor(sensorId: "loop-f-P0", kind: "flow", unit: "m3/h", zone: "loop", nodeId: "P0", lat: 47, lon: 8, min: 0, max: 1000)]
        for j in junctions {
            let (lat, lon) = position(network, j)
            sensors.append(ScenarioSensor(sensorId: "loop-p-\(j)", kind: "pressure", unit: "m", zone: "loop", nodeId: j, lat: lat, lon: lon, min: 0, max: 200))
        }
        let label = ScenarioLabel(
            type: "leak", startMs: startMs + Int64(leakStep) * stepMs, endMs: startMs + Int64(steps) * stepMs, zone: "loop",
            nodeId: leakNode, leakFlowM3h: leakM3h)
        var withVolume = label
        withVolume.leakVolumeM3 = leakM3h * Double(steps - leakStep) / 2
        let scenario = Scenario(
            meta: ScenarioMeta(
                name: "loop", description: "solver-simulated loop with a leak at J5", startMs: startMs, stepMs: stepMs,
                tariffPerM3: 2, zones: [ScenarioZone(id: "loop", name: "Loop", inletSensors: ["loop-f-P0"])],
                network: "network.inp"),
            sensors: sensors, readings: readings, labels: [withVolume])
        try ScenarioFolder.write(scenario, to: dir)
        try Self.network.write(to: dir.appendingPathComponent("network.inp"), atomically: true, encoding: .utf8)
        return scenario
    }


    /// Latitude and longitude of a node: its coordinates as metres east and north of 47° N, 8° E.
    public static func position(_ network: WaterNetwork, _ node: String) -> (lat: Double, lon: Double) {
        let n = network.nodes[network.nodeIndex[node]!]
        return (47 + (n.y ?? 0) / 111_200, 8 + (n.x ?? 0) / 75_800)
    }
}
