/// EPANET's rule-based controls in an extended-period run (hydraul.c `ruletimestep`,
/// rules.c): within a time step, the rules are checked every rule step as the tanks move;
/// the first check at which an action changes a link ends the step there.
extension ExtendedPeriodSimulation {
    /// Moves the tanks over up to `step` seconds, checking the rules every rule step;
    /// returns the step actually taken (shorter when a rule fired).
    mutating func moveTanksCheckingRules(over step: Int) -> Int {
        let start = timeS
        let end = start + step
        let ruleStep = max(1, network.options.ruleStepS ?? network.options.hydraulicStepS / 10)
        var dt = min(ruleStep, step)
        var dt1 = min(ruleStep - start % ruleStep, step)
        if dt1 == 0 { dt1 = dt }
        repeat {
            timeS += dt1
            moveTanks(over: dt1)
            if checkRules(interval: dt1) > 0 { break }
            dt = min(dt, end - timeS)
            dt1 = dt
        } while dt > 0
        let taken = timeS - start
        timeS = start
        return taken
    }

    /// EPANET's `checkrules`: the actions of every rule that fires (THEN) or not (ELSE),
    /// one per link by priority, taken; returns how many changed something.
    mutating func checkRules(interval dt: Int) -> Int {
        var chosen: [(action: RuleBasedControl.Action, priority: Double)] = []
        for rule in network.rules {
            let actions = holds(rule.premises, since: timeS - dt + 1) ? rule.thenActions : rule.elseActions
            for action in actions {
                if let i = chosen.firstIndex(where: { $0.action.link == action.link }) {
                    if rule.priority > chosen[i].priority { chosen[i] = (action, rule.priority) }
                } else {
                    chosen.append((action, rule.priority))
                }
            }
        }
        // EPANET keeps its action list newest first.
        return chosen.reversed().reduce(0) { $0 + (take($1.action) ? 1 : 0) }
    }

    func holds(_ premises: [RuleBasedControl.Premise], since t1: Int) -> Bool {
        var result = true
        for p in premises {
            if p.or {
                if !result { result = holds(p, since: t1) }
            } else {
                if !result { return false }
                result = holds(p, since: t1)
            }
        }
        return result
    }

    func holds(_ p: RuleBasedControl.Premise, since t1: Int) -> Bool {
        if p.variable == .time || p.variable == .clockTime { return holdsInTime(p, since: t1) }
        if let state = p.state {
            guard case .link(let k) = p.subject else { return false }
            let s = self.state.status[k]
            let now: RuleBasedControl.LinkState = s.isClosed ? .closed : s == .active ? .active : .open
            switch p.relation {
            case .equal: return now == state
            case .notEqual: return now != state
            default: return false
            }
        }
        guard let x = value(of: p) else { return false }
        let tol = 1e-3
        switch p.relation {
        case .equal: return abs(x - p.value) <= tol
        case .notEqual: return abs(x - p.value) >= tol
        case .below: return x <= p.value + tol
        case .atMost: return x <= p.value - tol
        case .above: return x >= p.value - tol
        case .atLeast: return x >= p.value + tol
        }
    }

    /// TIME and CLOCKTIME: an inequality against now; = and <> against the interval since
    /// the last check.
    func holdsInTime(_ p: RuleBasedControl.Premise, since t1: Int) -> Bool {
        let clock = network.options.startClockS
        let (from, to) = p.variable == .time ? (t1, timeS) : ((t1 + clock) % 86400, (timeS + clock) % 86400)
        let x = Int(p.value)
        switch p.relation {
        case .below: return to < x
        case .atMost: return to <= x
        case .above: return to > x
        case .atLeast: return to >= x
        case .equal, .notEqual:
            let within = to < from ? (x >= from || x <= to) : (x >= from && x <= to)
            return p.relation == .equal ? within : !within
        }
    }

    /// A premise's variable now, in the file's units.
    func value(of p: RuleBasedControl.Premise) -> Double? {
        let units = solver.units
        switch p.subject {
        case .system:
            guard p.variable == .demand else { return nil }
            let total = network.nodes.indices.reduce(0.0) { sum, i in
                network.nodes[i].isJunction && state.nodeDemand[i] > 0 ? sum + state.nodeDemand[i] : sum
            }
            return total * units.flow
        case .node(let i):
            let node = network.nodes[i]
            switch p.variable {
            case .demand: return state.nodeDemand[i] * units.flow
            case .head, .grade: return state.head[i] * units.length
            case .pressure: return (state.head[i] - node.elevation) * units.pressure
            case .level: return (state.head[i] - node.elevation) * units.length
            case .fillTime, .drainTime:
                guard let tank = node.tank else { return nil }
                let q = state.nodeDemand[i]
                if p.variable == .fillTime {
                    guard q > 1e-6 else { return nil }
                    return (tankVolume(i, atHead: node.elevation + tank.maxLevel) - volume[i]) / q
                }
                guard q < -1e-6 else { return nil }
                return (tankVolume(i, atHead: node.elevation + tank.minLevel) - volume[i]) / q
            default: return nil
            }
        case .link(let k):
            switch p.variable {
            case .flow: return abs(state.flow[k]) * units.flow
            case .setting:
                guard let s = state.setting[k] else { return nil }
                switch network.links[k].kind {
                case .valve(.prv), .valve(.psv), .valve(.pbv): return s * units.pressure
                case .valve(.fcv): return s * units.flow
                default: return s
                }
            default: return nil
            }
        }
    }

    /// EPANET's `takeactions` for one action: whether it changed the link.
    mutating func take(_ action: RuleBasedControl.Action) -> Bool {
        let k = action.link
        let s = state.status[k]
        if action.state == .open && s.isClosed {
            open(k, true)
            return true
        }
        if action.state == .closed && !s.isClosed {
            open(k, false)
            return true
        }
        guard var x = action.setting else { return false }
        let units = solver.units
        switch network.links[k].kind {
        case .valve(.prv), .valve(.psv), .valve(.pbv): x /= units.pressure
        case .valve(.fcv): x /= units.flow
        default: break
        }
        if let v = state.setting[k], abs(x - v) <= 1e-3 { return false }
        solver.setSetting(k, x, in: &state)
        return true
    }

    /// EPANET's `setlinkstatus`: a pump opened runs at speed 1 and closed at 0; a control
    /// valve opened or closed by a rule has its setting unset.
    mutating func open(_ k: Int, _ open: Bool) {
        switch network.links[k].kind {
        case .pump:
            if open && state.status[k] == .closed { solver.resetPumpFlow(k, in: &state) }
            state.setting[k] = open ? 1 : 0
        case .valve(.gpv), .pipe: break
        case .valve: state.setting[k] = nil
        }
        state.status[k] = open ? .open : .closed
    }
}
