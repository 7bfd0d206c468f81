/// EPANET's extended-period run (hydraul.c): at each time, the demands and controls due,
/// a balance warm-started from the last one, then the next step — the hydraulic step cut
/// short at the next pattern period, report time, tank filling or draining, or control —
/// over which the tanks' levels move with their inflow (Euler, as EPANET does).
public struct ExtendedPeriodSimulation: Sendable {
    public let solver: SteadyStateSolver
    var state: HydraulicState
    /// Water in each tank (ft³), by node index; 0 for other nodes.
    var volume: [Double]
    public internal(set) var timeS = 0
    var reportTimeS: Int

    public init(solver: SteadyStateSolver) {
        self.solver = solver
        let initial = solver.initialState()
        state = initial
        let network = solver.network
        volume = network.nodes.indices.map { i in
            network.nodes[i].tank == nil ? 0 : Self.volume(of: i, atHead: initial.head[i], solver)
        }
        reportTimeS = network.options.reportStepS
    }

    public var network: WaterNetwork { solver.network }

    /// The balance at the current time (EPANET's `runhyd`).
    public mutating func solveNow() throws(HydraulicsError) -> HydraulicSnapshot {
        solver.setDemands(&state, atS: timeS)
        applyControls()
        let balance = try solver.balance(&state)
        return solver.snapshot(timeS, state, balance)
    }

    /// Moves to the next time (EPANET's `nexthyd`), the tanks with it; returns the step taken,
    /// 0 once the duration is reached.
    public mutating func advance() -> Int {
        let options = network.options
        guard timeS < options.durationS else { return 0 }
        var step = options.hydraulicStepS
        let pstep = max(1, options.patternStepS)
        let toPattern = ((timeS + options.patternStartS) / pstep + 1) * pstep - timeS
        if toPattern > 0 && toPattern < step { step = toPattern }
        let toReport = reportTimeS - timeS
        if toReport > 0 && toReport < step { step = toReport }
        step = min(step, tankStep(step))
        step = min(step, controlStep(step))
        if network.rules.isEmpty {
            moveTanks(over: step)
        } else {
            step = moveTanksCheckingRules(over: step)
        }
        timeS += step
        if timeS >= reportTimeS { reportTimeS += options.reportStepS }
        return step
    }

    /// Solves at every time until the duration, and returns the solutions at the report
    /// times (every `reportStepS` from 0).
    public static func run(_ solver: SteadyStateSolver) throws(HydraulicsError) -> [HydraulicSnapshot] {
        var run = ExtendedPeriodSimulation(solver: solver)
        let reportStep = max(1, solver.network.options.reportStepS)
        var reported: [HydraulicSnapshot] = []
        while true {
            let snapshot = try run.solveNow()
            if run.timeS % reportStep == 0 { reported.append(snapshot) }
            if run.advance() == 0 { break }
        }
        return reported
    }

    // MARK: Controls

    /// EPANET's `controls`: a tank's level control when its volume is within a second's
    /// inflow of the level; a time control at its time; a clock control at its clock time.
    mutating func applyControls() {
        let network = self.network
        let clock = (timeS + network.options.startClockS) % 86400
        for control in network.controls {
            var fires = false
            switch control.trigger {
            case .nodeBelow(let n, let level) where !network.nodes[n].isJunction:
                fires = tankVolume(n, atHead: state.head[n]) <= tankVolume(n, atHead: level) + abs(state.nodeDemand[n])
            case .nodeAbove(let n, let level) where !network.nodes[n].isJunction:
                fires = tankVolume(n, atHead: state.head[n]) >= tankVolume(n, atHead: level) - abs(state.nodeDemand[n])
            case .atTime(let s): fires = s == timeS
            case .atClockTime(let s): fires = s % 86400 == clock
            default: continue
            }
            if fires { solver.apply(control, to: &state) }
        }
    }

    /// EPANET's `controltimestep`: the time to the next control that would change its link.
    func controlStep(_ step: Int) -> Int {
        let network = self.network
        var best = step
        for control in network.controls {
            var t = 0
            switch control.trigger {
            case .nodeAbove(let n, let level), .nodeBelow(let n, let level):
                guard !network.nodes[n].isJunction else { continue }
                let (h, q) = (state.head[n], state.nodeDemand[n])
                guard abs(q) > SteadyStateSolver.zeroFlow else { continue }
                let rising: Bool
                if case .nodeAbove = control.trigger { rising = true } else { rising = false }
                if (rising && h < level && q > 0) || (!rising && h > level && q < 0) {
                    t = Int(((tankVolume(n, atHead: level) - volume[n]) / q).rounded())
                }
            case .atTime(let s):
                if s > timeS { t = s - timeS }
            case .atClockTime(let s):
                let now = (timeS + network.options.startClockS) % 86400
                let at = s % 86400
                t = at >= now ? at - now : 86400 - now + at
            }
            guard t > 0 && t < best else { continue }
            let (status, setting) = solver.action(of: control)
            var changes = state.status[control.link] != status
            if case .pipe = network.links[control.link].kind {} else if state.setting[control.link] != setting { changes = true }
            if changes { best = t }
        }
        return best
    }

    // MARK: Tanks

    /// EPANET's `tanktimestep`: the time until a tank fills or empties.
    func tankStep(_ step: Int) -> Int {
        var best = step
        for (i, node) in network.nodes.enumerated() {
            guard let tank = node.tank else { continue }
            let (h, q) = (state.head[i], state.nodeDemand[i])
            guard abs(q) > SteadyStateSolver.zeroFlow else { continue }
            let v: Double
            if q > 0 && h < node.elevation + tank.maxLevel {
                v = tankVolume(i, atHead: node.elevation + tank.maxLevel) - volume[i]
            } else if q < 0 && h > node.elevation + tank.minLevel {
                v = tankVolume(i, atHead: node.elevation + tank.minLevel) - volume[i]
            } else {
                continue
            }
            let t = Int((v / q).rounded())
            if t > 0 && t < best { best = t }
        }
        return best
    }

    /// EPANET's `tanklevels`: each tank's volume moved by its inflow over `step`, held to
    /// full or empty when within a second of it.
    mutating func moveTanks(over step: Int) {
        for (i, node) in network.nodes.enumerated() {
            guard let tank = node.tank else { continue }
            let q = state.nodeDemand[i]
            let vmax = tankVolume(i, atHead: node.elevation + tank.maxLevel)
            let vmin = tankVolume(i, atHead: node.elevation + tank.minLevel)
            volume[i] += q * Double(step)
            if volume[i] + q >= vmax {
                volume[i] = vmax
            } else if volume[i] - q <= vmin {
                volume[i] = vmin
            }
            state.head[i] = Self.head(of: i, atVolume: volume[i], solver)
        }
    }

    func tankVolume(_ i: Int, atHead h: Double) -> Double { Self.volume(of: i, atHead: h, solver) }

    /// Volume (ft³) of tank `i` at head `h`: from its volume curve, or its cross-section.
    static func volume(of i: Int, atHead h: Double, _ solver: SteadyStateSolver) -> Double {
        let node = solver.network.nodes[i]
        let tank = node.tank!
        if let name = tank.volumeCurve, let curve = solver.network.curves[name] {
            let level = (h - node.elevation) * solver.units.length
            return interpolate(curve.x, curve.y, at: level) / solver.units.volume
        }
        return tank.volumeAtMinimum + (h - node.elevation - tank.minLevel) * tank.area
    }

    static func head(of i: Int, atVolume v: Double, _ solver: SteadyStateSolver) -> Double {
        let node = solver.network.nodes[i]
        let tank = node.tank!
        if let name = tank.volumeCurve, let curve = solver.network.curves[name] {
            return node.elevation + interpolate(curve.y, curve.x, at: v * solver.units.volume) / solver.units.length
        }
        return node.elevation + tank.minLevel + (v - tank.volumeAtMinimum) / tank.area
    }

    /// EPANET's `interp`: linear between points, held at the end values outside them.
    static func interpolate(_ x: [Double], _ y: [Double], at value: Double) -> Double {
        guard let first = x.first, value > first else { return y.first ?? 0 }
        for k in 1..<x.count where x[k] >= value {
            let dx = x[k] - x[k - 1]
            if abs(dx) < 1e-6 { return y[k] }
            return y[k] - (x[k] - value) * (y[k] - y[k - 1]) / dx
        }
        return y[y.count - 1]
    }
}
