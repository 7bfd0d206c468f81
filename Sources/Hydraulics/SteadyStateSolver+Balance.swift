/// EPANET's `hydsolve`: the trial loop of the gradient algorithm, with its status checks
/// (valves every trial, other links every `checkFrequency` trials until `maxCheck`, and
/// all of them once converged), and its matrix assembly (hydcoeffs.c). Internal units.
extension SteadyStateSolver {
    func balance(_ state: inout HydraulicState) throws(HydraulicsError) -> Balance {
        let options = network.options
        let trials = max(1, options.trials)
        let maxTrials = trials + max(0, options.extraTrials ?? 0)
        var nextCheck = options.checkFrequency
        var relax = 1.0
        var relative = Double.infinity
        var trial = 1
        var converged = false
        var system: CholeskySystem?
        var p = Array(repeating: 0.0, count: network.links.count)
        var y = p
        while trial <= maxTrials {
            let assembled = assemble(state, p: &p, y: &y)
            do {
                system = try CholeskySystem(factorising: assembled.matrix)
            } catch {
                if markBadValve(atNode: junctions[error.row], in: &state) { continue }
                throw .singular(node: network.nodes[junctions[error.row]].id)
            }
            let heads = system!.solve(assembled.f)
            for (r, i) in junctions.enumerated() { state.head[i] = heads[r] }
            let change = newFlows(&state, p: p, y: y, relax: relax)
            relative = change.relative
            relax = 1
            var valveChange = false
            if options.dampLimit > 0 {
                if relative <= options.dampLimit {
                    relax = 0.6
                    valveChange = valveStatus(&state)
                }
            } else {
                valveChange = valveStatus(&state)
            }
            if hasConverged(relative, maxFlowChange: change.maxFlowChange, state) {
                converged = true
                if trial > trials { break }
                var statusChange = valveChange
                if linkStatus(&state) { statusChange = true }
                if pressureSwitch(&state) { statusChange = true }
                if !statusChange { break }
                converged = false
                nextCheck = trial + options.checkFrequency
            } else if trial <= options.maxCheck && trial == nextCheck {
                _ = linkStatus(&state)
                nextCheck += options.checkFrequency
            }
            trial += 1
        }
        guard let system else { throw .notConverged(trials: trials, relativeError: relative) }
        if !converged && relative > options.accuracy && options.extraTrials == nil {
            throw .notConverged(trials: trials, relativeError: relative)
        }
        return Balance(
            trials: min(trial, maxTrials), relativeError: relative,
            converged: relative <= options.accuracy, system: system)
    }

    private func hasConverged(_ relative: Double, maxFlowChange: Double, _ state: HydraulicState) -> Bool {
        let options = network.options
        guard relative <= options.accuracy else { return false }
        if options.headErrorLimit > 0 && maxHeadError(state) > options.headErrorLimit { return false }
        if options.flowChangeLimit > 0 && maxFlowChange > options.flowChangeLimit { return false }
        if case .pressureDriven(let minimum, _, _) = options.demandModel { return pressureDrivenConverged(state, minimum) }
        return true
    }

    /// The largest difference between a link's head loss at its flow and the heads across it.
    private func maxHeadError(_ state: HydraulicState) -> Double {
        var worst = 0.0
        for (k, link) in network.links.enumerated() where !state.status[k].isClosed {
            let (p, y) = linkCoefficients(k, state)
            guard p != 0 else { continue }
            let dh = state.head[link.from] - state.head[link.to]
            worst = max(worst, abs(dh - y / p))
        }
        return worst
    }

    /// EPANET's `pdaconverged`: no junction draws a negative demand, or a positive one at
    /// a pressure below the minimum.
    private func pressureDrivenConverged(_ state: HydraulicState, _ minimum: Double) -> Bool {
        let tolerance = 0.001
        for i in junctions where state.nodeDemand[i] > 0 {
            if state.demandFlow[i] < -tolerance { return false }
            if state.demandFlow[i] > tolerance && state.head[i] - network.nodes[i].elevation - minimum < -tolerance {
                return false
            }
        }
        return true
    }

    // MARK: Assembly

    /// The linear system A·h = f of one trial, and each link's P (1 / head-loss gradient)
    /// and Y (head loss / gradient) for the flow update.
    func assemble(_ state: HydraulicState, p: inout [Double], y: inout [Double]) -> (matrix: ProfileMatrix, f: [Double]) {
        let nodes = network.nodes
        var a = pattern
        var f = Array(repeating: 0.0, count: junctions.count)
        var excess = Array(repeating: 0.0, count: nodes.count)
        for (k, link) in network.links.enumerated() {
            if isControlValveWithSetting(k, state) {
                p[k] = 0
                continue
            }
            (p[k], y[k]) = linkCoefficients(k, state)
            let (n1, n2) = (link.from, link.to)
            let q = state.flow[k]
            excess[n1] -= q
            excess[n2] += q
            if let slot = offDiagonal[k] { a.values[slot] -= p[k] }
            if let r1 = junctionRow[n1] {
                a.values[diagonal[r1]] += p[k]
                f[r1] += y[k]
            } else if let r2 = junctionRow[n2] {
                f[r2] += p[k] * state.head[n1]
            }
            if let r2 = junctionRow[n2] {
                a.values[diagonal[r2]] += p[k]
                f[r2] -= y[k]
            } else if let r1 = junctionRow[n1] {
                f[r1] += p[k] * state.head[n2]
            }
        }
        let qexp = 1 / network.options.emitterExponent
        for (r, i) in junctions.enumerated() where nodes[i].emitterCoefficient > 0 {
            let (hloss, hgrad) = LinkCoefficients.emitter(
                flow: state.emitterFlow[i], ke: nodes[i].emitterCoefficient, exponent: qexp)
            a.values[diagonal[r]] += 1 / hgrad
            f[r] += (hloss + nodes[i].elevation) / hgrad
            excess[i] -= state.emitterFlow[i]
        }
        if case .pressureDriven(let minimum, let required, let exponent) = network.options.demandModel {
            for (r, i) in junctions.enumerated() where state.nodeDemand[i] > 0 {
                let (hloss, hgrad) = LinkCoefficients.pressureDemand(
                    delivered: state.demandFlow[i], full: state.nodeDemand[i], range: required - minimum, exponent: 1 / exponent)
                guard hgrad > 0 else { continue }
                a.values[diagonal[r]] += 1 / hgrad
                f[r] += (hloss + nodes[i].elevation + minimum) / hgrad
            }
        }
        for (r, i) in junctions.enumerated() {
            excess[i] -= state.demandFlow[i]
            f[r] += excess[i]
        }
        for k in valves where isControlValveWithSetting(k, state) {
            controlValveCoefficients(k, state, excess: &excess, a: &a, f: &f, p: &p, y: &y)
        }
        return (a, f)
    }

    /// A PRV, PSV or FCV whose status is not fixed: its coefficients come last, from the
    /// flow excess at its nodes.
    func isControlValveWithSetting(_ k: Int, _ state: HydraulicState) -> Bool {
        guard state.setting[k] != nil, case .valve(let type) = network.links[k].kind else { return false }
        return type == .prv || type == .psv || type == .fcv
    }

    /// EPANET's `prvcoeff`, `psvcoeff` and `fcvcoeff`. An active PRV fixes the head at its
    /// downstream node to its setting and passes the flow that node needs; an active PSV
    /// holds its upstream node's head; an active FCV passes its set flow as a demand
    /// upstream and a supply downstream. Otherwise the valve is an open or closed link.
    private func controlValveCoefficients(
        _ k: Int, _ state: HydraulicState, excess: inout [Double], a: inout ProfileMatrix, f: inout [Double],
        p: inout [Double], y: inout [Double]
    ) {
        let link = network.links[k]
        let (n1, n2) = (link.from, link.to)
        let (i, j) = (junctionRow[n1]!, junctionRow[n2]!)
        let setting = state.setting[k]!
        let q = state.flow[k]
        let big = LinkCoefficients.cBig
        if state.status[k] == .active, case .valve(let type) = link.kind {
            switch type {
            case .prv:
                p[k] = 0
                y[k] = q + excess[n2]
                f[j] += (network.nodes[n2].elevation + setting) * big
                a.values[diagonal[j]] += big
                if excess[n2] < 0 { f[i] += excess[n2] }
                return
            case .psv:
                p[k] = 0
                y[k] = q - excess[n1]
                f[i] += (network.nodes[n1].elevation + setting) * big
                a.values[diagonal[i]] += big
                if excess[n1] > 0 { f[j] += excess[n1] }
                return
            default:
                excess[n1] -= setting
                excess[n2] += setting
                y[k] = q - setting
                f[i] -= setting
                f[j] += setting
                p[k] = 1 / big
                a.values[offDiagonal[k]!] -= p[k]
                a.values[diagonal[i]] += p[k]
                a.values[diagonal[j]] += p[k]
                return
            }
        }
        (p[k], y[k]) = LinkCoefficients.valve(flow: q, km: minorLoss[k], closed: state.status[k].isClosed)
        a.values[offDiagonal[k]!] -= p[k]
        a.values[diagonal[i]] += p[k]
        a.values[diagonal[j]] += p[k]
        f[i] += y[k] - q
        f[j] -= y[k] - q
    }

    /// P and Y of any link but an active-capable control valve (hydcoeffs.c).
    func linkCoefficients(_ k: Int, _ state: HydraulicState) -> (p: Double, y: Double) {
        let link = network.links[k]
        let q = state.flow[k]
        let closed = state.status[k].isClosed
        switch link.kind {
        case .pipe:
            if closed { return LinkCoefficients.closed(flow: q) }
            if network.options.headloss == .darcyWeisbach {
                return LinkCoefficients.darcyWeisbach(
                    flow: q, r: resistance[k], km: minorLoss[k], e: link.roughness / link.diameter,
                    s: viscosity * link.diameter)
            }
            return LinkCoefficients.pipe(flow: q, r: resistance[k], exponent: headlossExponent, km: minorLoss[k])
        case .pump:
            let speed = state.setting[k] ?? 1
            if closed || speed == 0 { return LinkCoefficients.closed(flow: q) }
            guard let curve = pumpCurves[k] else { return (1 / LinkCoefficients.cSmall, q) }
            return LinkCoefficients.pump(flow: q, curve: curve, speed: speed)
        case .valve(.tcv):
            let d = link.diameter
            let km = state.setting[k].map { 0.02517 * $0 / (d * d * d * d) } ?? minorLoss[k]
            return LinkCoefficients.valve(flow: q, km: km, closed: closed)
        case .valve(.pbv):
            if let s = state.setting[k], s != 0, !closed, minorLoss[k] * q * q <= s {
                return (LinkCoefficients.cBig, s * LinkCoefficients.cBig)
            }
            return LinkCoefficients.valve(flow: q, km: minorLoss[k], closed: closed)
        case .valve(.gpv):
            if closed { return LinkCoefficients.closed(flow: q) }
            let curve = headlossCurves[k]!
            return LinkCoefficients.generalValve(flow: q, curveX: curve.x, curveY: curve.y)
        case .valve:
            return LinkCoefficients.valve(flow: q, km: minorLoss[k], closed: closed)
        }
    }

    // MARK: Flow update

    /// EPANET's `newflows`: each link's, emitter's and pressure-driven demand's flow moved
    /// by its correction; the net inflow of tanks and reservoirs; the relative change.
    func newFlows(_ state: inout HydraulicState, p: [Double], y: [Double], relax: Double) -> (relative: Double, maxFlowChange: Double) {
        let nodes = network.nodes
        var qsum = 0.0
        var dqsum = 0.0
        var maxChange = 0.0
        for (i, node) in nodes.enumerated() where !node.isJunction { state.nodeDemand[i] = 0 }
        for (k, link) in network.links.enumerated() {
            let (n1, n2) = (link.from, link.to)
            var dq = (y[k] - p[k] * (state.head[n1] - state.head[n2])) * relax
            if case .constantPower = pumpCurves[k], dq > state.flow[k] { dq = state.flow[k] / 2 }
            state.flow[k] -= dq
            qsum += abs(state.flow[k])
            dqsum += abs(dq)
            maxChange = max(maxChange, abs(dq))
            if !state.status[k].isClosed {
                if !nodes[n1].isJunction { state.nodeDemand[n1] -= state.flow[k] }
                if !nodes[n2].isJunction { state.nodeDemand[n2] += state.flow[k] }
            }
        }
        let qexp = 1 / network.options.emitterExponent
        for i in junctions where nodes[i].emitterCoefficient > 0 {
            let (hloss, hgrad) = LinkCoefficients.emitter(flow: state.emitterFlow[i], ke: nodes[i].emitterCoefficient, exponent: qexp)
            let dq = (hloss - (state.head[i] - nodes[i].elevation)) / hgrad * relax
            state.emitterFlow[i] -= dq
            qsum += abs(state.emitterFlow[i])
            dqsum += abs(dq)
            maxChange = max(maxChange, abs(dq))
        }
        if case .pressureDriven(let minimum, let required, let exponent) = network.options.demandModel {
            for i in junctions where state.nodeDemand[i] > 0 {
                let (hloss, hgrad) = LinkCoefficients.pressureDemand(
                    delivered: state.demandFlow[i], full: state.nodeDemand[i],
                    range: max(required - minimum, LinkCoefficients.minimumPressureRange), exponent: 1 / exponent)
                let dq = (hloss - (state.head[i] - nodes[i].elevation - minimum)) / hgrad * relax
                state.demandFlow[i] -= dq
                qsum += abs(state.demandFlow[i])
                dqsum += abs(dq)
                maxChange = max(maxChange, abs(dq))
            }
        }
        let relative = qsum > network.options.accuracy ? dqsum / qsum : dqsum
        return (relative, maxChange)
    }
}
