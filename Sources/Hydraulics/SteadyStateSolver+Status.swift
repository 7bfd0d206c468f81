/// EPANET's status logic (hydstatus.c, and the pressure controls and ill-conditioned
/// valves of hydsolver.c): which links are open, closed or active at the current heads
/// and flows. Each returns whether anything changed.
extension SteadyStateSolver {
    /// PRVs and PSVs with a setting, every trial.
    func valveStatus(_ state: inout HydraulicState) -> Bool {
        var changed = false
        for k in valves {
            guard let setting = state.setting[k], case .valve(let type) = network.links[k].kind else { continue }
            let link = network.links[k]
            let (h1, h2) = (state.head[link.from], state.head[link.to])
            let old = state.status[k]
            let q = state.flow[k]
            let fullyOpenLoss = minorLoss[k] * q * q
            switch type {
            case .prv:
                let hset = network.nodes[link.to].elevation + setting
                state.status[k] = Self.prvStatus(old, hset: hset, h1: h1, h2: h2, q: q, fullyOpenLoss: fullyOpenLoss)
            case .psv:
                let hset = network.nodes[link.from].elevation + setting
                state.status[k] = Self.psvStatus(old, hset: hset, h1: h1, h2: h2, q: q, fullyOpenLoss: fullyOpenLoss)
            default: continue
            }
            if state.status[k] != old { changed = true }
        }
        return changed
    }

    static func prvStatus(_ s: LinkStatus, hset: Double, h1: Double, h2: Double, q: Double, fullyOpenLoss hml: Double) -> LinkStatus {
        switch s {
        case .active:
            if q < -flowTolerance { return .closed }
            return h1 - hml < hset - headTolerance ? .open : .active
        case .open:
            if q < -flowTolerance { return .closed }
            return h2 >= hset + headTolerance ? .active : .open
        case .closed:
            if h1 >= hset + headTolerance && h2 < hset - headTolerance { return .active }
            if h1 < hset - headTolerance && h1 > h2 + headTolerance { return .open }
            return .closed
        case .xpressure:
            return q < -flowTolerance ? .closed : s
        default:
            return s
        }
    }

    static func psvStatus(_ s: LinkStatus, hset: Double, h1: Double, h2: Double, q: Double, fullyOpenLoss hml: Double) -> LinkStatus {
        switch s {
        case .active:
            if q < -flowTolerance { return .closed }
            return h2 + hml > hset + headTolerance ? .open : .active
        case .open:
            if q < -flowTolerance { return .closed }
            return h1 < hset - headTolerance ? .active : .open
        case .closed:
            if h2 > hset + headTolerance && h1 > h2 + headTolerance { return .open }
            if h1 >= hset + headTolerance && h1 > h2 + headTolerance { return .active }
            return .closed
        case .xpressure:
            return q < -flowTolerance ? .closed : s
        default:
            return s
        }
    }

    /// Check valves, pumps, FCVs, and links into full or out of empty tanks.
    func linkStatus(_ state: inout HydraulicState) -> Bool {
        var changed = false
        for (k, link) in network.links.enumerated() {
            let dh = state.head[link.from] - state.head[link.to]
            let old = state.status[k]
            if old == .xhead || old == .tempClosed { state.status[k] = .open }
            switch link.kind {
            case .pipe(checkValve: true):
                state.status[k] = Self.checkValveStatus(state.status[k], dh: dh, q: state.flow[k])
            case .pump:
                if state.status[k] >= .open, let speed = state.setting[k], speed > 0 {
                    state.status[k] = pumpStatus(k, speed: speed, gain: -dh)
                }
            case .valve(.fcv):
                if let setting = state.setting[k] {
                    state.status[k] = Self.fcvStatus(old, h1: state.head[link.from], h2: state.head[link.to], q: state.flow[k], setting: setting)
                }
            default: break
            }
            if !network.nodes[link.from].isJunction || !network.nodes[link.to].isJunction {
                tankStatus(k, &state)
            }
            if state.status[k] != old { changed = true }
        }
        return changed
    }

    static func checkValveStatus(_ s: LinkStatus, dh: Double, q: Double) -> LinkStatus {
        if abs(dh) > headTolerance {
            if dh < -headTolerance || q < -flowTolerance { return .closed }
            return .open
        }
        return q < -flowTolerance ? .closed : s
    }

    func pumpStatus(_ k: Int, speed: Double, gain: Double) -> LinkStatus {
        guard let shutoff = pumpCurves[k]?.shutoffHead else { return .open }
        return gain > speed * speed * shutoff + Self.headTolerance ? .xhead : .open
    }

    static func fcvStatus(_ s: LinkStatus, h1: Double, h2: Double, q: Double, setting: Double) -> LinkStatus {
        if h1 - h2 < -headTolerance || q < -flowTolerance { return .xfcv }
        if s == .xfcv && q >= setting { return .active }
        return s
    }

    /// Closes a link that fills a full tank or drains an empty one.
    func tankStatus(_ k: Int, _ state: inout HydraulicState) {
        guard !state.status[k].isClosed else { return }
        let link = network.links[k]
        var (n1, n2, q) = (link.from, link.to, state.flow[k])
        if network.nodes[n1].tank == nil {
            guard network.nodes[n2].tank != nil else { return }
            (n1, n2, q) = (n2, n1, -q)
        }
        let tank = network.nodes[n1].tank!
        let h = state.head[n1] - state.head[n2]
        let elevation = network.nodes[n1].elevation
        if state.head[n1] >= elevation + tank.maxLevel - Self.headTolerance && !tank.canOverflow {
            if isPump(k) {
                if link.to == n1 { state.status[k] = .tempClosed }
            } else if Self.checkValveStatus(.open, dh: h, q: q) == .closed {
                state.status[k] = .tempClosed
            }
        }
        if state.head[n1] <= elevation + tank.minLevel + Self.headTolerance {
            if isPump(k) {
                if link.from == n1 { state.status[k] = .tempClosed }
            } else if Self.checkValveStatus(.closed, dh: h, q: q) == .open {
                state.status[k] = .tempClosed
            }
        }
    }

    /// Simple controls on a junction's pressure, checked once the trials converge.
    func pressureSwitch(_ state: inout HydraulicState) -> Bool {
        var changed = false
        for control in network.controls {
            let fires: Bool
            switch control.trigger {
            case .nodeBelow(let n, let value) where network.nodes[n].isJunction: fires = state.head[n] <= value + Self.headTolerance
            case .nodeAbove(let n, let value) where network.nodes[n].isJunction: fires = state.head[n] >= value - Self.headTolerance
            default: continue
            }
            guard fires else { continue }
            let k = control.link
            let (status, setting) = action(of: control)
            let s = state.status[k]
            var change = false
            switch network.links[k].kind {
            case .pipe: change = s != status
            case .pump: change = state.setting[k] != setting
            case .valve:
                change = state.setting[k] != setting || (state.setting[k] == nil && s != status)
            }
            guard change else { continue }
            state.status[k] = status
            if case .pipe = network.links[k].kind {} else { state.setting[k] = setting }
            changed = true
        }
        return changed
    }

    /// A control's status and setting as EPANET stores them for the link's type: a pump
    /// opened runs at speed 1 and closed at 0; a valve given a setting is active, and one
    /// opened or closed has its setting unset.
    func action(of control: WaterNetwork.Control) -> (LinkStatus, Double?) {
        switch network.links[control.link].kind {
        case .pipe: return (control.open == false ? .closed : .open, nil)
        case .pump:
            if let s = control.setting { return (s == 0 ? .closed : .open, s) }
            return control.open == false ? (.closed, 0) : (.open, 1)
        case .valve(.gpv): return (control.open == false ? .closed : .open, nil)
        case .valve:
            if let s = control.setting { return (.active, s) }
            return (control.open == false ? .closed : .open, nil)
        }
    }

    /// EPANET's `controls` action on one link: the new status and setting if they differ.
    @discardableResult
    func apply(_ control: WaterNetwork.Control, to state: inout HydraulicState) -> Bool {
        let k = control.link
        let (s2, setting) = action(of: control)
        let s1: LinkStatus = state.status[k].isClosed ? .closed : .open
        let k1 = state.setting[k]
        var k2 = k1
        if case .pipe = network.links[k].kind {} else { k2 = setting }
        if isPump(k) && s1 == .closed && s2 == .open { resetPumpFlow(k, in: &state) }
        guard s1 != s2 || k1 != k2 else { return false }
        state.status[k] = s2
        state.setting[k] = k2
        return true
    }

    /// For a steady state at `t`: the time controls due by then in time order, then the
    /// tank-level controls that hold at the tanks' heads.
    func applyControlsDue(by t: Int, to state: inout HydraulicState) {
        let clock = (t + network.options.startClockS) % 86400
        let timed = network.controls.compactMap { c -> (Int, WaterNetwork.Control)? in
            switch c.trigger {
            case .atTime(let s) where s <= t: (s, c)
            case .atClockTime(let s) where s <= clock: (s, c)
            default: nil
            }
        }
        for (_, c) in timed.sorted(by: { $0.0 < $1.0 }) { apply(c, to: &state) }
        for c in network.controls {
            switch c.trigger {
            case .nodeAbove(let node, let v) where !network.nodes[node].isJunction && state.head[node] >= v: apply(c, to: &state)
            case .nodeBelow(let node, let v) where !network.nodes[node].isJunction && state.head[node] <= v: apply(c, to: &state)
            default: continue
            }
        }
        for k in network.links.indices where !state.status[k].isClosed {
            if state.flow[k] == Self.zeroFlow { state.flow[k] = initialFlow(k, status: state.status[k], setting: state.setting[k]) }
        }
    }

    /// EPANET's `badvalve`: when the matrix is singular at a node, an active PRV, PSV or
    /// FCV there (the first valve touching it) is left open as XPRESSURE or XFCV and the
    /// trial repeated.
    func markBadValve(atNode n: Int, in state: inout HydraulicState) -> Bool {
        for k in valves {
            let link = network.links[k]
            guard n == link.from || n == link.to else { continue }
            guard case .valve(let type) = link.kind, [.prv, .psv, .fcv].contains(type), state.status[k] == .active else {
                return false
            }
            state.status[k] = type == .fcv ? .xfcv : .xpressure
            return true
        }
        return false
    }
}
