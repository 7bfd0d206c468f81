/// How much the head at each sensor's node falls for a small leak at each junction, from
/// the gradient matrix at a solved state (the linearised response: Δh = −A⁻¹·e_j·q).
/// Metres of head per m³/h of leak; negative (a leak lowers heads).
public struct LeakSensitivity: Sendable {
    /// Node indices of the sensors (rows of each signature).
    public let sensorNodes: [Int]
    /// Junction node indices that a leak could be at.
    public let candidates: [Int]
    /// `signature[c][s]`: head change at sensor `s` per m³/h leaking at candidate `c`.
    public let signature: [[Double]]

    public init(network: WaterNetwork, state: HydraulicSnapshot, sensorNodeIDs: [String]) throws(HydraulicsError) {
        var sensors: [Int] = []
        for id in sensorNodeIDs {
            guard let i = network.nodeIndex[id] else { throw .unknownReference(line: 0, "no node '\(id)'") }
            sensors.append(i)
        }
        sensorNodes = sensors
        let rows = state.junctionRow
        candidates = network.nodes.indices.filter { rows[$0] != nil }
        // ft per cfs → m per m³/h.
        let scale = HydraulicUnits.metresPerFoot / (HydraulicUnits.cubicMetresPerCubicFoot * 3600)
        let n = state.jacobian.n
        signature = candidates.map { c in
            var e = Array(repeating: 0.0, count: n)
            e[rows[c]!] = 1
            let response = state.jacobian.solve(e)
            // A fixed-head sensor node (a tank's level at the instant) does not move.
            return sensors.map { s in rows[s].map { -response[$0] * scale } ?? 0 }
        }
    }
}
