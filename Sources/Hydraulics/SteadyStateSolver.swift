import Foundation

/// EPANET 2.2's hydraulic engine for one network: the global gradient algorithm (Todini &
/// Pilati) with EPANET's coefficients, status logic and trial loop, so that heads, flows
/// and statuses agree with it. Pipes (Hazen–Williams, Darcy–Weisbach, Chezy–Manning, check
/// valves), pumps (power-function, multi-point and constant-power curves, speeds and
/// speed patterns), every valve type (PRV, PSV, PBV, FCV, TCV, GPV) active, open or closed,
/// emitters, demand-driven or pressure-driven demands, patterns, simple controls, and
/// tanks that close the links filling them when full or draining them when empty.
///
/// `solve(atS:)` gives one steady state (tanks and reservoirs at fixed heads);
/// ``ExtendedPeriodSimulation`` steps it through time as EPANET does.
public struct SteadyStateSolver: Sendable {
    public let network: WaterNetwork
    let units: HydraulicUnits
    let junctionRow: [Int?]
    let junctions: [Int]
    let resistance: [Double]
    /// Minor-loss coefficient in internal units (EPANET's Km = 0.02517·K / d⁴).
    let minorLoss: [Double]
    let pumpCurves: [Int: PumpCurve]
    /// GPVs' head-loss curves, flow → head loss, internal units.
    let headlossCurves: [Int: (x: [Double], y: [Double])]
    let headlossExponent: Double
    let viscosity: Double
    /// The matrix's pattern, and where each link's off-diagonal entry sits in it (nil
    /// unless both ends are junctions).
    let pattern: ProfileMatrix
    let offDiagonal: [Int?]
    let diagonal: [Int]
    /// Valves in file order (EPANET visits them so), and the PRVs, PSVs and FCVs among them.
    let valves: [Int]

    /// EPANET's tolerances (ft, cfs) and its "big" and "small" coefficients.
    static let headTolerance = 0.0005
    static let flowTolerance = 0.0001
    static let zeroFlow = 1e-6

    public init(network: WaterNetwork) throws(HydraulicsError) {
        self.network = network
        let units = HydraulicUnits(flowUnits: network.options.units, specificGravity: network.options.specificGravity)
        self.units = units
        var rows: [Int?] = Array(repeating: nil, count: network.nodes.count)
        var junctions: [Int] = []
        for (i, node) in network.nodes.enumerated() where node.isJunction {
            rows[i] = junctions.count
            junctions.append(i)
        }
        junctionRow = rows
        self.junctions = junctions
        headlossExponent = network.options.headloss == .hazenWilliams ? 1.852 : 2
        viscosity = 1.1e-5 * network.options.relativeViscosity
        var resistance: [Double] = []
        var minorLoss: [Double] = []
        var curves: [Int: PumpCurve] = [:]
        var lossCurves: [Int: (x: [Double], y: [Double])] = [:]
        var valves: [Int] = []
        for (k, link) in network.links.enumerated() {
            let d = link.diameter
            minorLoss.append(d > 0 ? 0.02517 * link.minorLoss / (d * d * d * d) : 0)
            switch link.kind {
            case .pipe:
                resistance.append(Self.pipeResistance(link, network.options.headloss))
            case .pump(let pump):
                resistance.append(0)
                if let name = pump.headCurve {
                    guard let curve = network.curves[name] else {
                        throw .unknownReference(line: 0, "pump \(link.id): no curve '\(name)'")
                    }
                    curves[k] = try PumpCurve.make(points: curve, units: units, pumpID: link.id)
                } else if let power = pump.power {
                    // EPANET: head gain = 8.814·hp / q (cfs, ft); SI power is given in kW.
                    let hp = network.options.units.isSI ? power / 0.7457 : power
                    curves[k] = .constantPower(r: -8.814 * hp)
                }
            case .valve(let type):
                resistance.append(0)
                valves.append(k)
                if type == .gpv {
                    guard let name = link.headlossCurve, let curve = network.curves[name], curve.x.count >= 2 else {
                        throw .unknownReference(line: 0, "GPV \(link.id): no head-loss curve of two or more points")
                    }
                    lossCurves[k] = (curve.x.map { $0 / units.flow }, curve.y.map { $0 / units.length })
                }
                let endsAtJunctions = network.nodes[link.from].isJunction && network.nodes[link.to].isJunction
                if [.prv, .psv, .fcv].contains(type) && !endsAtJunctions {
                    throw .unsupported("valve \(link.id): a \(type.rawValue) cannot connect to a tank or reservoir (EPANET error 219)")
                }
            }
        }
        self.resistance = resistance
        self.minorLoss = minorLoss
        pumpCurves = curves
        headlossCurves = lossCurves
        self.valves = valves
        if let cutOff = Self.unreachableJunction(network) { throw .singular(node: network.nodes[cutOff].id) }
        var edges: [(Int, Int)] = []
        for link in network.links {
            if let a = rows[link.from], let b = rows[link.to] { edges.append((a, b)) }
        }
        let pattern = ProfileMatrix(size: junctions.count, edges: edges)
        self.pattern = pattern
        offDiagonal = network.links.map { link in
            guard let a = rows[link.from], let b = rows[link.to] else { return nil }
            return pattern.slot(a, b)
        }
        diagonal = (0..<junctions.count).map { pattern.diagonal($0) }
    }

    static func pipeResistance(_ link: WaterNetwork.Link, _ formula: WaterNetwork.HeadlossFormula) -> Double {
        let (l, c, d) = (link.length, link.roughness, link.diameter)
        switch formula {
        case .hazenWilliams: return 4.727 * l / pow(c, 1.852) / pow(d, 4.871)
        case .darcyWeisbach:
            let area = Double.pi * d * d / 4
            return l / 2 / 32.2 / d / (area * area)
        case .chezyManning:
            let a = 4 * c / (1.49 * Double.pi * d * d)
            return a * a * pow(d / 4, -1.333) * l
        }
    }

    /// A junction no chain of links joins to a tank or reservoir has no defined head.
    static func unreachableJunction(_ network: WaterNetwork) -> Int? {
        var neighbours = Array(repeating: [Int](), count: network.nodes.count)
        for link in network.links {
            neighbours[link.from].append(link.to)
            neighbours[link.to].append(link.from)
        }
        var reached = network.nodes.map { !$0.isJunction }
        var queue = network.nodes.indices.filter { reached[$0] }
        while let i = queue.popLast() {
            for j in neighbours[i] where !reached[j] {
                reached[j] = true
                queue.append(j)
            }
        }
        return reached.firstIndex(of: false)
    }

    // MARK: Public, in SI

    /// Solves the network at `timeS` seconds into its patterns, from EPANET's initial
    /// flows, with the time controls due by then and the tank-level controls that hold at
    /// the tanks' heads. `fixedHeads` overrides the head (m) of tanks and reservoirs by id
    /// (a tank's level at that time, say); `extraDemands` adds outflow (m³/s) at junctions
    /// by id (a leak).
    public func solve(
        atS timeS: Int = 0, fixedHeads: [String: Double] = [:], extraDemands: [String: Double] = [:]
    ) throws(HydraulicsError) -> HydraulicSnapshot {
        var heads: [Int: Double] = [:]
        for (id, h) in fixedHeads {
            guard let i = network.nodeIndex[id], !network.nodes[i].isJunction else {
                throw .unknownReference(line: 0, "no tank or reservoir '\(id)'")
            }
            heads[i] = h / HydraulicUnits.metresPerFoot
        }
        var extra: [Int: Double] = [:]
        for (id, q) in extraDemands {
            guard let i = network.nodeIndex[id], network.nodes[i].isJunction else {
                throw .unknownReference(line: 0, "no junction '\(id)'")
            }
            extra[i] = q / HydraulicUnits.cubicMetresPerCubicFoot
        }
        var state = initialState()
        for (i, h) in heads { state.head[i] = h }
        setDemands(&state, atS: timeS, extra: extra)
        for (i, h) in heads { state.head[i] = h }
        applyControlsDue(by: timeS, to: &state)
        let balance = try self.balance(&state)
        return snapshot(timeS, state, balance)
    }

    // MARK: State

    /// EPANET's `inithyd`: tanks at their initial level, links at their own status and
    /// setting (control valves with a setting start active), first-guess flows.
    func initialState() -> HydraulicState {
        let nodes = network.nodes
        let head = nodes.map { node -> Double in
            if let tank = node.tank { return node.elevation + tank.initialLevel }
            return node.elevation
        }
        var status: [LinkStatus] = []
        var setting: [Double?] = []
        var flow: [Double] = []
        for (k, link) in network.links.enumerated() {
            var s: LinkStatus = link.initiallyOpen ? .open : .closed
            var value = link.setting
            switch link.kind {
            case .pipe: value = nil
            case .pump:
                value = link.setting ?? 1
                if value == 0 { s = .closed }
            case .valve(.gpv): value = nil
            case .valve: if value != nil { s = .active }
            }
            status.append(s)
            setting.append(value)
            flow.append(initialFlow(k, status: s, setting: value))
        }
        return HydraulicState(
            head: head, flow: flow, status: status, setting: setting,
            nodeDemand: Array(repeating: 0, count: nodes.count),
            demandFlow: Array(repeating: 0, count: nodes.count),
            emitterFlow: nodes.map { $0.emitterCoefficient > 0 ? 1 : 0 })
    }

    /// EPANET's `initlinkflow`.
    func initialFlow(_ k: Int, status: LinkStatus, setting: Double?) -> Double {
        if status.isClosed { return Self.zeroFlow }
        let link = network.links[k]
        if case .pump = link.kind { return (setting ?? 1) * (pumpCurves[k]?.designFlow ?? 1) }
        return Double.pi * link.diameter * link.diameter / 4
    }

    /// EPANET's `demands`: junction demands, reservoir heads and pump speeds from their
    /// patterns at `t`.
    func setDemands(_ state: inout HydraulicState, atS t: Int, extra: [Int: Double] = [:]) {
        for (i, node) in network.nodes.enumerated() {
            switch node.kind {
            case .junction:
                let asked = node.demands.reduce(0) { sum, d in
                    sum + d.base * network.multiplier(d.pattern ?? network.options.defaultPattern, atS: t)
                } * network.options.demandMultiplier + (extra[i] ?? 0)
                state.nodeDemand[i] = asked
                state.demandFlow[i] = asked
            case .reservoir(let pattern):
                if pattern != nil { state.head[i] = node.elevation * network.multiplier(pattern, atS: t) }
            case .tank: continue
            }
        }
        for (k, link) in network.links.enumerated() {
            guard case .pump(let pump) = link.kind, pump.speedPattern != nil else { continue }
            setSetting(k, network.multiplier(pump.speedPattern, atS: t), in: &state)
        }
    }

    /// EPANET's `setlinksetting`, as a pattern or a rule sets a value.
    func setSetting(_ k: Int, _ value: Double, in state: inout HydraulicState) {
        switch network.links[k].kind {
        case .pump:
            state.setting[k] = value
            if value > 0 && state.status[k].isClosed {
                resetPumpFlow(k, in: &state)
                state.status[k] = .open
            }
            if value == 0 && !state.status[k].isClosed { state.status[k] = .closed }
        case .valve(.fcv):
            state.setting[k] = value
            state.status[k] = .active
        default:
            if state.setting[k] == nil && state.status[k].isClosed { state.status[k] = .open }
            state.setting[k] = value
        }
    }

    /// A constant-power pump that restarts starts from its design flow.
    func resetPumpFlow(_ k: Int, in state: inout HydraulicState) {
        if case .constantPower = pumpCurves[k] { state.flow[k] = 1 }
    }

    func isPump(_ k: Int) -> Bool {
        if case .pump = network.links[k].kind { return true }
        return false
    }

    // MARK: Snapshot

    func snapshot(_ t: Int, _ state: HydraulicState, _ balance: Balance) -> HydraulicSnapshot {
        let m = HydraulicUnits.metresPerFoot
        let m3 = HydraulicUnits.cubicMetresPerCubicFoot
        return HydraulicSnapshot(
            timeS: t,
            head: state.head.map { $0 * m },
            pressure: network.nodes.enumerated().map { i, node in
                if case .reservoir = node.kind { return 0 }
                return (state.head[i] - node.elevation) * m
            },
            demand: network.nodes.indices.map { i in
                (network.nodes[i].isJunction ? state.demandFlow[i] : state.nodeDemand[i]) * m3
            },
            emitterFlow: state.emitterFlow.map { $0 * m3 },
            flow: zip(state.flow, state.status).map { q, s in s.isClosed ? 0 : q * m3 },
            status: state.status,
            trials: balance.trials, relativeFlowChange: balance.relativeError, balanced: balance.converged,
            jacobian: balance.system, junctionRow: junctionRow)
    }
}
