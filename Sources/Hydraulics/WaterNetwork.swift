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
    public var options = Options()
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
        public init() {}
    }

    public enum HeadlossFormula: String, Sendable { case hazenWilliams = "H-W", darcyWeisbach = "D-W", chezyManning = "C-M" }

    public struct Node: Sendable {
        public enum Kind: Sendable, Equatable {
            case junction
            case reservoir(headPattern: String?)
            case tank(initialLevel: Double, minLevel: Double, maxLevel: Double, diameter: Double)
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
