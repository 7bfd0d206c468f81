/// Reads the [RULES] section (EPANET's rules.c grammar):
///
///     RULE label
///     IF|AND|OR  NODE|JUNCTION|RESERVOIR|TANK id  DEMAND|HEAD|GRADE|LEVEL|PRESSURE|FILLTIME|DRAINTIME  op  value
///     IF|AND|OR  LINK|PIPE|PUMP|VALVE id  FLOW|STATUS|SETTING  op  value
///     IF|AND|OR  SYSTEM  DEMAND|TIME|CLOCKTIME  op  value [AM|PM]
///     THEN|ELSE|AND  LINK|PIPE|PUMP|VALVE id  STATUS|SETTING  IS  value
///     PRIORITY x
///
/// with op one of =, <>, <, >, <=, >=, IS, NOT, BELOW, ABOVE.
enum RuleReader {
    static func read(
        _ rows: [(line: Int, fields: [String])], network: WaterNetwork, duration: (_ f: [String], _ line: Int) throws(HydraulicsError) -> Int
    ) throws(HydraulicsError) -> [RuleBasedControl] {
        var rules: [RuleBasedControl] = []
        var inActions: (then: Bool, any: Bool) = (true, false)
        for (line, f) in rows {
            let word = f[0].uppercased()
            if word == "RULE" {
                guard f.count >= 2 else { throw .syntax(line: line, "RULE needs a label") }
                rules.append(RuleBasedControl(label: f[1]))
                inActions = (true, false)
                continue
            }
            guard !rules.isEmpty else { throw .syntax(line: line, "[RULES]: '\(f[0])' before the first RULE") }
            let r = rules.count - 1
            switch word {
            case "IF", "OR", _ where word == "AND" && !inActions.any:
                if word == "IF" && !rules[r].premises.isEmpty { throw .syntax(line: line, "rule \(rules[r].label): a second IF") }
                rules[r].premises.append(try premise(f, or: word == "OR", line: line, network: network, duration: duration))
            case "THEN", "ELSE", "AND":
                if word != "AND" { inActions = (word == "THEN", true) }
                let action = try action(f, line: line, network: network)
                if inActions.then { rules[r].thenActions.append(action) } else { rules[r].elseActions.append(action) }
            case "PRIORITY":
                guard f.count >= 2, let p = Double(f[1]) else { throw .syntax(line: line, "PRIORITY needs a number") }
                rules[r].priority = p
            default:
                throw .syntax(line: line, "[RULES]: '\(f[0])' is not RULE, IF, AND, OR, THEN, ELSE or PRIORITY")
            }
        }
        for rule in rules where rule.premises.isEmpty || rule.thenActions.isEmpty {
            throw .syntax(line: 0, "rule \(rule.label) needs an IF and a THEN")
        }
        return rules
    }

    typealias Premise = RuleBasedControl.Premise

    static func premise(
        _ f: [String], or: Bool, line: Int, network: WaterNetwork,
        duration: (_ f: [String], _ line: Int) throws(HydraulicsError) -> Int
    ) throws(HydraulicsError) -> Premise {
        guard f.count == 5 || f.count == 6 else { throw .syntax(line: line, "a premise reads IF object id variable operator value") }
        let object = f[1].uppercased()
        let subject: Premise.Subject
        let variableWord: String
        let operatorAt: Int
        if object == "SYSTEM" {
            subject = .system
            variableWord = f[2]
            operatorAt = 3
        } else {
            guard f.count == 6 else { throw .syntax(line: line, "a premise reads IF object id variable operator value") }
            variableWord = f[3]
            operatorAt = 4
            switch object {
            case "NODE", "JUNCTION", "RESERVOIR", "TANK":
                guard let i = network.nodeIndex[f[2]] else { throw .unknownReference(line: line, "rule: no node '\(f[2])'") }
                subject = .node(i)
            case "LINK", "PIPE", "PUMP", "VALVE":
                guard let k = network.linkIndex[f[2]] else { throw .unknownReference(line: line, "rule: no link '\(f[2])'") }
                subject = .link(k)
            default: throw .syntax(line: line, "rule object must be NODE, JUNCTION, RESERVOIR, TANK, LINK, PIPE, PUMP, VALVE or SYSTEM")
            }
        }
        guard let variable = Premise.Variable(rawValue: variableWord.uppercased()) else {
            throw .syntax(line: line, "'\(variableWord)' is not a rule variable")
        }
        let allowed: [Premise.Variable]
        switch subject {
        case .system: allowed = [.demand, .time, .clockTime]
        case .node(let i):
            allowed = network.nodes[i].isJunction ? [.demand, .head, .grade, .level, .pressure]
                : [.demand, .head, .grade, .level, .pressure, .fillTime, .drainTime]
        case .link: allowed = [.flow, .status, .setting]
        }
        guard allowed.contains(variable) else { throw .syntax(line: line, "\(variable.rawValue) does not apply to \(object)") }
        let relation: Premise.Relation
        switch f[operatorAt].uppercased() {
        case "=", "IS": relation = .equal
        case "<>", "NOT": relation = .notEqual
        case "<=": relation = .atMost
        case ">=": relation = .atLeast
        case "<", "BELOW": relation = .below
        case ">", "ABOVE": relation = .above
        default: throw .syntax(line: line, "'\(f[operatorAt])' is not a rule operator")
        }
        var state: RuleBasedControl.LinkState?
        var value = 0.0
        if variable == .time || variable == .clockTime {
            value = Double(try duration(Array(f[(operatorAt + 1)...]), line))
        } else if let s = linkState(f[f.count - 1]) {
            state = s
        } else {
            guard let x = Double(f[f.count - 1]) else { throw .syntax(line: line, "'\(f[f.count - 1])' is not a number") }
            value = variable == .fillTime || variable == .drainTime ? x * 3600 : x
        }
        return Premise(or: or, subject: subject, variable: variable, relation: relation, state: state, value: value)
    }

    static func action(_ f: [String], line: Int, network: WaterNetwork) throws(HydraulicsError) -> RuleBasedControl.Action {
        guard f.count == 6 else { throw .syntax(line: line, "an action reads THEN object id STATUS|SETTING IS value") }
        guard let k = network.linkIndex[f[2]] else { throw .unknownReference(line: line, "rule: no link '\(f[2])'") }
        if case .pipe(checkValve: true) = network.links[k].kind { throw .syntax(line: line, "a rule cannot act on check valve \(f[2])") }
        if let s = linkState(f[5]) { return .init(link: k, state: s, setting: nil) }
        guard let x = Double(f[5]), x >= 0 else { throw .syntax(line: line, "'\(f[5])' is not OPEN, CLOSED, ACTIVE or a setting ≥ 0") }
        switch network.links[k].kind {
        case .pipe: return .init(link: k, state: x == 0 ? .closed : .open, setting: nil)
        case .valve(.gpv): throw .syntax(line: line, "a GPV's setting is its curve; a rule may only open or close it")
        default: return .init(link: k, state: nil, setting: x)
        }
    }

    static func linkState(_ word: String) -> RuleBasedControl.LinkState? {
        switch word.uppercased() {
        case "OPEN": .open
        case "CLOSED": .closed
        case "ACTIVE": .active
        default: nil
        }
    }
}
