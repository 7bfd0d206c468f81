import Foundation

/// EPANET's global gradient algorithm (Todini & Pilati) for one steady state: demand-
/// driven, with Hazen–Williams, Darcy–Weisbach or Chezy–Manning pipes, check valves,
/// pumps (one- and three-point power curves, multi-point curves, constant power),
/// TCVs and PBVs, emitters, patterns, and simple controls on time and tank level.
/// Tanks and reservoirs are fixed heads (their level at the instant solved).
///
/// Not yet: PRV, PSV, FCV and GPV valves in their active state (a network with one is
/// refused with a clear error rather than solved wrongly), rule-based controls,
/// junction-pressure controls,
/// pressure-driven demand, and tanks closing links when full or empty.
public struct SteadyStateSolver: Sendable {
    public let network: WaterNetwork
    let units: HydraulicUnits
    let junctionRow: [Int?]
    let junctions: [Int]
    let resistance: [Double]
    let minorLoss: [Double]
    let pumpCurves: [Int: PumpCurve]
    let headlossExponent: Double
    let viscosity: Double

    static let headTolerance = 0.0005
    static let flowTolerance = 0.0001

    public init(network: WaterNetwork) throws(HydraulicsError) {
        self.network = network
        units = HydraulicUnits(flowUnits: network.options.units, specificGravity: network.options.specificGravity)
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
        for (k, link) in network.links.enumerated() {
            let d = link.diameter
            minorLoss.append(d > 0 ? 0.02517 * link.minorLoss / (d * d * d * d) : 0)
            switch link.kind {
            case .pipe:
                let (l, c) = (link.length, link.roughness)
                switch network.options.headloss {
                case .hazenWilliams: resistance.append(4.727 * l / pow(c, 1.852) / pow(d, 4.871))
                case .darcyWeisbach:
                    let area = Double.pi * d * d / 4
                    resistance.append(l / 2 / 32.2 / d / (area * area))
                case .chezyManning:
                    let a = 4 * c / (1.49 * Double.pi * d * d)
                    resistance.append(a * a * pow(d / 4, -1.333) * l)
                }
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
                if [.prv, .psv, .fcv, .gpv].contains(type) && link.setting != nil {
                    throw .unsupported("valve \(link.id) is an active \(type.rawValue); only TCV, PBV and fixed-status valves are solved")
                }
                if type == .gpv { throw .unsupported("valve \(link.id) is a GPV") }
            }
        }
        self.resistance = resistance
        self.minorLoss = minorLoss
        pumpCurves = curves
        if let cutOff = Self.unreachableJunction(network) { throw .singular(node: network.nodes[cutOff].id) }
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

    /// Solves the network at `timeS` seconds into its patterns. `fixedHeads` overrides the
    /// head (m) of tanks and reservoirs by id (a tank's level at that time, say);
    /// `extraDemands` adds outflow (m³/s) at junctions by id (a leak).
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
        return try solve(timeS: timeS, fixedHeads: heads, extra: extra)
    }

    // MARK: The algorithm (internal units)

    enum Status: Equatable { case open, closed, tooMuchHead, checkClosed }

    func solve(timeS t: Int, fixedHeads: [Int: Double], extra: [Int: Double]) throws(HydraulicsError) -> HydraulicSnapshot {
        let nodes = network.nodes
        let links = network.links
        var head = nodes.enumerated().map { i, node -> Double in
            if let h = fixedHeads[i] { return h }
            switch node.kind {
            case .junction: return node.elevation
            case .reservoir(let pattern): return node.elevation * network.multiplier(pattern, atS: t)
            case .tank(let level, _, _, _): return node.elevation + level
            }
        }
        let demand = nodes.enumerated().map { i, node in
            node.demands.reduce(0) { sum, d in
                sum + d.base * network.multiplier(d.pattern ?? network.options.defaultPattern, atS: t)
            } * network.options.demandMultiplier + (extra[i] ?? 0)
        }
        var (status, setting) = initialStatus(atS: t, heads: head)
        var flow = links.enumerated().map { k, link -> Double in
            if status[k] == .closed { return 1e-6 }
            if case .pump = link.kind { return (setting[k] ?? 1) * (pumpCurves[k]?.designFlow ?? 1) }
            return Double.pi * link.diameter * link.diameter / 4
        }
        let qexp = 1 / network.options.emitterExponent
        var emitter = nodes.map { $0.emitterCoefficient > 0 ? 1.0 : 0 }
        let n = junctions.count
        var p = Array(repeating: 0.0, count: links.count)
        var y = Array(repeating: 0.0, count: links.count)
        var relative = Double.infinity
        for trial in 1...max(1, network.options.trials) {
            for k in links.indices {
                (p[k], y[k]) = coefficients(k, flow: flow[k], status: status[k], setting: setting[k])
            }
            var a = Array(repeating: 0.0, count: n * n)
            var f = Array(repeating: 0.0, count: n)
            var excess = Array(repeating: 0.0, count: nodes.count)
            for (k, link) in links.enumerated() {
                let (n1, n2) = (link.from, link.to)
                excess[n1] -= flow[k]
                excess[n2] += flow[k]
                let (r1, r2) = (junctionRow[n1], junctionRow[n2])
                if let r1, let r2 {
                    a[r1 * n + r2] -= p[k]
                    a[r2 * n + r1] -= p[k]
                }
                if let r1 { a[r1 * n + r1] += p[k]; f[r1] += y[k] } else if let r2 { f[r2] += p[k] * head[n1] }
                if let r2 { a[r2 * n + r2] += p[k]; f[r2] -= y[k] } else if let r1 { f[r1] += p[k] * head[n2] }
            }
            for (r, i) in junctions.enumerated() {
                let ke = nodes[i].emitterCoefficient
                if ke > 0 {
                    let (hloss, hgrad) = LinkCoefficients.emitter(flow: emitter[i], ke: ke, exponent: qexp)
                    a[r * n + r] += 1 / hgrad
                    f[r] += (hloss + nodes[i].elevation) / hgrad
                    excess[i] -= emitter[i]
                }
                f[r] += excess[i] - demand[i]
            }
            let system: CholeskySystem
            do { system = try CholeskySystem(matrix: a, size: n) } catch {
                throw .singular(node: nodes[junctions[error.row]].id)
            }
            let solved = system.solve(f)
            for (r, i) in junctions.enumerated() { head[i] = solved[r] }
            var qsum = 0.0
            var dqsum = 0.0
            for (k, link) in links.enumerated() {
                let dq = y[k] - p[k] * (head[link.from] - head[link.to])
                flow[k] -= dq
                qsum += abs(flow[k])
                dqsum += abs(dq)
            }
            for i in junctions where nodes[i].emitterCoefficient > 0 {
                let (hloss, hgrad) = LinkCoefficients.emitter(flow: emitter[i], ke: nodes[i].emitterCoefficient, exponent: qexp)
                let dq = (hloss - (head[i] - nodes[i].elevation)) / hgrad
                emitter[i] -= dq
                qsum += abs(emitter[i])
                dqsum += abs(dq)
            }
            relative = qsum > 0 ? dqsum / qsum : dqsum
            if relative <= network.options.accuracy && !updateStatus(&status, setting: setting, flow: flow, head: head) {
                return snapshot(
                    t, head: head, demand: demand, emitter: emitter, flow: flow, status: status,
                    trials: trial, relative: relative, system: system)
            }
        }
        throw .notConverged(trials: network.options.trials, relativeError: relative)
    }

    private func coefficients(_ k: Int, flow: Double, status: Status, setting: Double?) -> (Double, Double) {
        if status != .open { return LinkCoefficients.closed(flow: flow) }
        let link = network.links[k]
        switch link.kind {
        case .pipe:
            if network.options.headloss == .darcyWeisbach {
                return LinkCoefficients.darcyWeisbach(
                    flow: flow, r: resistance[k], km: minorLoss[k], e: link.roughness / link.diameter,
                    s: viscosity * link.diameter)
            }
            return LinkCoefficients.pipe(flow: flow, r: resistance[k], exponent: headlossExponent, km: minorLoss[k])
        case .pump:
            let speed = setting ?? 1
            guard speed > 0, let curve = pumpCurves[k] else { return LinkCoefficients.closed(flow: flow) }
            return LinkCoefficients.pump(flow: flow, curve: curve, speed: speed)
        case .valve(.tcv):
            let d = link.diameter
            let km = setting.map { 0.02517 * $0 / (d * d * d * d) } ?? minorLoss[k]
            return LinkCoefficients.openValve(flow: flow, km: km)
        case .valve(.pbv):
            if let s = setting, s != 0, minorLoss[k] * flow * flow <= s {
                return (LinkCoefficients.cBig, s * LinkCoefficients.cBig)
            }
            return LinkCoefficients.openValve(flow: flow, km: minorLoss[k])
        case .valve:
            return LinkCoefficients.openValve(flow: flow, km: minorLoss[k])
        }
    }

    /// Check valves close against reverse flow; a pump asked for more head than it can
    /// make shuts. Returns whether any status changed.
    private func updateStatus(_ status: inout [Status], setting: [Double?], flow: [Double], head: [Double]) -> Bool {
        var changed = false
        for (k, link) in network.links.enumerated() {
            let dh = head[link.from] - head[link.to]
            let old = status[k]
            switch link.kind {
            case .pipe(checkValve: true) where old == .open || old == .checkClosed:
                if abs(dh) > Self.headTolerance {
                    status[k] = dh < -Self.headTolerance || flow[k] < -Self.flowTolerance ? .checkClosed : .open
                } else if flow[k] < -Self.flowTolerance {
                    status[k] = .checkClosed
                }
            case .pump where old == .open || old == .tooMuchHead:
                let speed = setting[k] ?? 1
                if let shutoff = pumpCurves[k]?.shutoffHead, -dh > speed * speed * shutoff + Self.headTolerance {
                    status[k] = .tooMuchHead
                } else {
                    status[k] = .open
                }
            default: continue
            }
            if status[k] != old { changed = true }
        }
        return changed
    }

    /// Statuses and settings at `t`: the file's, then time controls up to `t`, then tank
    /// level controls on the heads given.
    func initialStatus(atS t: Int, heads: [Double]) -> ([Status], [Double?]) {
        var status: [Status] = network.links.map { $0.initiallyOpen ? .open : .closed }
        var setting: [Double?] = network.links.enumerated().map { k, link in
            if case .pump(let pump) = link.kind {
                return (link.setting ?? 1) * network.multiplier(pump.speedPattern, atS: t)
            }
            return link.setting
        }
        func apply(_ c: WaterNetwork.Control) {
            if let open = c.open { status[c.link] = open ? .open : .closed }
            if let s = c.setting {
                setting[c.link] = s
                status[c.link] = s == 0 && isPump(c.link) ? .closed : .open
            }
        }
        let timed = network.controls.compactMap { c -> (Int, WaterNetwork.Control)? in
            switch c.trigger {
            case .atTime(let s) where s <= t: (s, c)
            case .atClockTime(let s) where s <= t % 86400: (s, c)
            default: nil
            }
        }
        for (_, c) in timed.sorted(by: { $0.0 < $1.0 }) { apply(c) }
        for c in network.controls {
            switch c.trigger {
            case .nodeAbove(let node, let v) where !network.nodes[node].isJunction && heads[node] > v: apply(c)
            case .nodeBelow(let node, let v) where !network.nodes[node].isJunction && heads[node] < v: apply(c)
            default: continue
            }
        }
        for k in network.links.indices where isPump(k) && setting[k] == 0 { status[k] = .closed }
        return (status, setting)
    }

    private func isPump(_ k: Int) -> Bool {
        if case .pump = network.links[k].kind { return true }
        return false
    }

    private func snapshot(
        _ t: Int, head: [Double], demand: [Double], emitter: [Double], flow: [Double], status: [Status],
        trials: Int, relative: Double, system: CholeskySystem
    ) -> HydraulicSnapshot {
        let m = HydraulicUnits.metresPerFoot
        let m3 = HydraulicUnits.cubicMetresPerCubicFoot
        return HydraulicSnapshot(
            timeS: t,
            head: head.map { $0 * m },
            pressure: network.nodes.enumerated().map { i, node in
                if case .reservoir = node.kind { return 0 }
                return (head[i] - node.elevation) * m
            },
            demand: demand.map { $0 * m3 },
            emitterFlow: emitter.map { $0 * m3 },
            flow: zip(flow, status).map { q, s in s == .open ? q * m3 : 0 },
            linkOpen: status.map { $0 == .open },
            trials: trials, relativeFlowChange: relative, jacobian: system, junctionRow: junctionRow)
    }
}
