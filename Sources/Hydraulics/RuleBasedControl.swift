/// A rule-based control ([RULES]): premises joined by AND and OR, evaluated left to right
/// as EPANET does (an AND after a false result is false; an OR after a true one is true),
/// the THEN actions when they hold and the ELSE actions when not. Where rules act on the
/// same link at once, the one of higher priority wins (the first on a tie).
public struct RuleBasedControl: Sendable, Equatable {
    public var label: String
    public var premises: [Premise] = []
    public var thenActions: [Action] = []
    public var elseActions: [Action] = []
    public var priority = 0.0

    public init(label: String) { self.label = label }

    public enum LinkState: Sendable, Equatable { case open, closed, active }

    public struct Premise: Sendable, Equatable {
        public enum Subject: Sendable, Equatable { case node(Int), link(Int), system }
        public enum Variable: String, Sendable, Equatable {
            case demand = "DEMAND", head = "HEAD", grade = "GRADE", level = "LEVEL", pressure = "PRESSURE"
            case flow = "FLOW", status = "STATUS", setting = "SETTING", power = "POWER"
            case time = "TIME", clockTime = "CLOCKTIME", fillTime = "FILLTIME", drainTime = "DRAINTIME"
        }
        public enum Relation: Sendable, Equatable { case equal, notEqual, atMost, atLeast, below, above }

        /// Joined to what comes before by OR (else AND; the first premise is the IF).
        public var or: Bool
        public var subject: Subject
        public var variable: Variable
        public var relation: Relation
        /// A link state to compare with, or else a number: in the file's units, seconds for
        /// times, clock times and fill and drain times.
        public var state: LinkState?
        public var value: Double
    }

    public struct Action: Sendable, Equatable {
        public var link: Int
        public var state: LinkState?
        /// In the file's units (pressure for PRV, PSV and PBV, flow for FCV).
        public var setting: Double?
    }
}
