/// A water distribution network as an EPANET input file describes it, in EPANET's
/// internal units: feet, cubic feet per second, seconds. ``HydraulicUnits`` converts
/// to and from what the file and the callers use (SI at this module's public edges).
public struct WaterNetwork: Sendable {
    public var title: String = ""
    public var nodes: [Node] = []
    public var links: [Link] = []
    public var patterns: [String: [Double]] = [:]
    public var curves: [String: Curve] = [:]
    public var controls: [Control] = []
    public var rules: [RuleBasedControl] = []
    public var options = Options()
    /// What the file asks for that the solver does not model; it solves the rest.
    public var warnings: [String] = []
    /// Index of each node and link by id.
    public private(set) var nodeIndex: [String: Int] = [:]
    public private(set) var linkIndex: [String: Int] = [:]

    public init() {}

    public struct Options: Sendable, Equatable {
        public var units: FlowUnits = .gpm
        public var headloss: HeadlossFormula = .hazenWilliams
        /// Kinematic viscosity relative to water at 20 °C (EPANET's VISCOSITY option).
        public var relativeViscosity = 1.0
        public var specificGravity = 1.0
        public var trials = 200
        /// Convergence: the sum of flow changes over the sum of flows.
        public var accuracy = 0.001
        public var demandMultiplier = 1.0
        /// Pattern for junctions that name none; EPANET's default is a pattern called "1".
        public var defaultPattern: String? = nil
        public var emitterExponent = 0.5
        public var patternStepS = 3600
        public var patternStartS = 0
        /// Extended-period clock ([TIMES]): run length, hydraulic and report steps, the
        /// rule evaluation step, and the clock time at t = 0.
        public var durationS = 0
        public var hydraulicStepS = 3600
        public var reportStepS = 3600
        /// EPANET's default: a tenth of the hydraulic step.
        public var ruleStepS: Int? = nil
        public var startClockS = 0
        /// Status checks every `checkFrequency` trials up to trial `maxCheck` (EPANET's
        /// CHECKFREQ and MAXCHECK); damping once the error falls below `dampLimit` (0: never).
        public var checkFrequency = 2
        public var maxCheck = 10
        public var dampLimit = 0.0
        /// Trials after `trials` for an unbalanced solution (UNBALANCED CONTINUE n); nil:
        /// stop with an error (UNBALANCED STOP, EPANET's default).
        public var extraTrials: Int? = nil
        /// Extra convergence limits (0: off): largest head-loss error (ft) and flow change (cfs).
        public var headErrorLimit = 0.0
        public var flowChangeLimit = 0.0
        public var demandModel: DemandModel = .demandDriven
        public init() {}
    }

    /// Demand-driven (EPANET's DDA) or pressure-driven (PDA: a junction gets its full demand
    /// above `required` pressure, none below `minimum`, (p − min)/(req − min) to the power
    /// `exponent` between; pressures in ft).
    public enum DemandModel: Sendable, Equatable {
        case demandDriven
        case pressureDriven(minimum: Double, required: Double, exponent: Double)
    }

    public enum HeadlossFormula: String, Sendable { case hazenWilliams = "H-W", darcyWeisbach = "D-W", chezyManning = "C-M" }

    public struct Node: Sendable {
        public enum Kind: Sendable, Equatable {
            case junction
            case reservoir(headPattern: String?)
            case tank(Tank)
        }
        public var id: String
        public var kind: Kind
        /// Elevation (ft); for a reservoir its total head.
        public var elevation: Double
        /// Base demands (cfs) with their patterns; EPANET's [DEMANDS] may give several.
        public var demands: [(base: Double, pattern: String?)] = []
        /// Emitter head-loss coefficient in internal units (0: none).
        public var emitterCoefficient = 0.0
        /// Map position as given in [COORDINATES] (the file's own units).
        public var x: Double? = nil
        public var y: Double? = nil

        public var isJunction: Bool { kind == .junction }
        public var tank: Tank? {
            if case .tank(let t) = kind { return t }
            return nil
        }
    }

    /// A storage tank: levels above its bottom (ft) and a diameter, or a volume curve
    /// (level in the file's units → volume) for a tank that is not a cylinder.
    public struct Tank: Sendable, Equatable {
        public var initialLevel: Double
        public var minLevel: Double
        public var maxLevel: Double
        public var diameter: Double
        /// Volume below the minimum level (ft³), EPANET's MinVol.
        public var minVolume = 0.0
        public var volumeCurve: String? = nil
        /// Spills instead of closing its inlets when full.
        public var canOverflow = false

        public init(initialLevel: Double, minLevel: Double, maxLevel: Double, diameter: Double) {
            self.initialLevel = initialLevel
            self.minLevel = minLevel
            self.maxLevel = maxLevel
            self.diameter = diameter
        }

        /// Cross-section (ft²).
        public var area: Double { Double.pi * diameter * diameter / 4 }

        /// Volume below the minimum level (ft³): MinVol, or the cylinder's.
        var volumeAtMinimum: Double { minVolume > 0 ? minVolume : area * minLevel }
    }

    public struct Link: Sendable {
        public enum Kind: Sendable, Equatable {
            case pipe(checkValve: Bool)
            case pump(Pump)
            case valve(ValveType)
        }
        public var id: String
        public var kind: Kind
        public var from: Int
        public var to: Int
        public var length: Double = 0
        public var diameter: Double = 0
        /// Hazen–Williams C, Darcy–Weisbach roughness (ft) or Manning n.
        public var roughness: Double = 0
        /// Minor-loss coefficient as in the file (dimensionless).
        public var minorLoss: Double = 0
        public var initiallyOpen = true
        /// Valve setting (internal units) or pump speed; nil when fixed open/closed by status.
        public var setting: Double? = nil
        /// A GPV's head-loss curve (flow → head loss, in the file's units).
        public var headlossCurve: String? = nil
    }

    public struct Pump: Sendable, Equatable {
        public var headCurve: String?
        /// Constant power (hp), for pumps without a head curve.
        public var power: Double?
        public var speed = 1.0
        public var speedPattern: String?
    }

    public enum ValveType: String, Sendable { case prv = "PRV", psv = "PSV", pbv = "PBV", fcv = "FCV", tcv = "TCV", gpv = "GPV" }

    /// Points as given in the file's own units (flow and head for pump curves).
    public struct Curve: Sendable, Equatable {
        public var x: [Double] = []
        public var y: [Double] = []
    }

    /// A simple control ([CONTROLS]): set a link's status or setting at a time or on a level.
    public struct Control: Sendable, Equatable {
        public enum Trigger: Sendable, Equatable {
            case atTime(seconds: Int)
            case atClockTime(seconds: Int)
            /// Node's pressure (junction) or level (tank) above/below a value (internal ft).
            case nodeAbove(node: Int, value: Double)
            case nodeBelow(node: Int, value: Double)
        }
        /// For a valve, `open`/`closed` with no setting fix its status (the setting is then
        /// unset, EPANET's MISSING); a setting makes it active.
        public var link: Int
        public var open: Bool?
        public var setting: Double?
        public var trigger: Trigger
    }

    mutating func add(_ node: Node) throws(HydraulicsError) {
        guard nodeIndex[node.id] == nil else { throw .duplicate("node", node.id) }
        nodeIndex[node.id] = nodes.count
        nodes.append(node)
    }

    mutating func add(_ link: Link) throws(HydraulicsError) {
        guard linkIndex[link.id] == nil else { throw .duplicate("link", link.id) }
        linkIndex[link.id] = links.count
        links.append(link)
    }

    /// The multiplier of a pattern at a time, EPANET's way: periods of `patternStepS` from
    /// `patternStartS`, the pattern repeating. A missing pattern multiplies by 1.
    public func multiplier(_ pattern: String?, atS t: Int) -> Double {
        guard let name = pattern, let values = patterns[name], !values.isEmpty else { return 1 }
        let period = (t + options.patternStartS) / max(1, options.patternStepS)
        return values[period % values.count]
    }
}
