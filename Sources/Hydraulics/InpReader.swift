import Foundation

/// Reads an EPANET input (`.inp`) file: junctions, reservoirs, tanks, pipes, pumps,
/// valves, demands, status, patterns, curves, simple and rule-based controls, emitters,
/// times, options (with the demand model) and coordinates. Sections that do not bear on
/// hydraulics (quality, energy, report, labels, ...) are skipped.
///
/// Values are converted to EPANET's internal units (ft, cfs) once everything is read,
/// since [OPTIONS] may come after the sections whose units it sets.
public enum InpReader {
    public static func read(_ text: String) throws(HydraulicsError) -> WaterNetwork {
        var sections: [String: [(line: Int, fields: [String])]] = [:]
        var current = ""
        var number = 0
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            number += 1
            let content = raw.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = fields.first else { continue }
            if first.hasPrefix("[") {
                current = first.uppercased()
                continue
            }
            sections[current, default: []].append((number, fields))
        }
        var reader = Reader(sections: sections)
        return try reader.build()
    }
}

private struct Reader {
    let sections: [String: [(line: Int, fields: [String])]]
    var network = WaterNetwork()

    init(sections: [String: [(line: Int, fields: [String])]]) {
        self.sections = sections
    }

    func rows(_ name: String) -> [(line: Int, fields: [String])] { sections[name] ?? [] }

    mutating func build() throws(HydraulicsError) -> WaterNetwork {
        network.title = rows("[TITLE]").map { $0.fields.joined(separator: " ") }.joined(separator: "\n")
        try readOptions()
        try readTimes()
        let units = HydraulicUnits(flowUnits: network.options.units, specificGravity: network.options.specificGravity)
        applyDemandModel(units)
        try readNodes(units)
        try readLinks(units)
        try readDemands(units)
        try readPatternsAndCurves()
        try readStatus(units)
        try readEmitters(units)
        try readControls(units)
        try readCoordinates()
        network.rules = try RuleReader.read(rows("[RULES]"), network: network) { f, line throws(HydraulicsError) in
            try Self.duration(f, line: line)
        }
        return network
    }

    // MARK: Options and times

    mutating func readOptions() throws(HydraulicsError) {
        for (line, f) in rows("[OPTIONS]") {
            let key = f[0].uppercased()
            let rest = Array(f.dropFirst())
            func value(_ at: Int = 0) throws(HydraulicsError) -> Double { try number(rest, at, line, key) }
            switch key {
            case "UNITS":
                guard let u = rest.first.flatMap({ FlowUnits(rawValue: $0.uppercased()) }) else {
                    throw .syntax(line: line, "UNITS must be one of \(FlowUnits.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                network.options.units = u
            case "HEADLOSS":
                guard let h = rest.first.flatMap({ WaterNetwork.HeadlossFormula(rawValue: $0.uppercased()) }) else {
                    throw .syntax(line: line, "HEADLOSS must be H-W, D-W or C-M")
                }
                network.options.headloss = h
            case "SPECIFIC": network.options.specificGravity = try value(1)
            case "VISCOSITY": network.options.relativeViscosity = try value()
            case "TRIALS": network.options.trials = Int(try value())
            case "ACCURACY": network.options.accuracy = try value()
            case "PATTERN": network.options.defaultPattern = rest.first
            case "DEMAND":
                switch rest.first?.uppercased() {
                case "MULTIPLIER": network.options.demandMultiplier = try value(1)
                case "MODEL":
                    switch rest.dropFirst().first?.uppercased() {
                    case "DDA": pressureDriven = false
                    case "PDA": pressureDriven = true
                    default: throw .syntax(line: line, "DEMAND MODEL must be DDA or PDA")
                    }
                default: continue
                }
            case "EMITTER":
                if rest.first?.uppercased() == "EXPONENT" { network.options.emitterExponent = try value(1) }
            case "CHECKFREQ": network.options.checkFrequency = max(1, Int(try value()))
            case "MAXCHECK": network.options.maxCheck = Int(try value())
            case "DAMPLIMIT": network.options.dampLimit = try value()
            case "HEADERROR": network.options.headErrorLimit = try value()
            case "FLOWCHANGE": network.options.flowChangeLimit = try value()
            case "UNBALANCED":
                switch rest.first?.uppercased() {
                case "STOP": network.options.extraTrials = nil
                case "CONTINUE": network.options.extraTrials = rest.count > 1 ? Int(try value(1)) : 0
                default: throw .syntax(line: line, "UNBALANCED must be STOP or CONTINUE [n]")
                }
            default:
                if ["MINIMUM", "REQUIRED"].contains(key) && rest.first?.uppercased() == "PRESSURE" {
                    pressureValues[key] = try value(1)
                } else if key == "PRESSURE" && rest.first?.uppercased() == "EXPONENT" {
                    pressureValues[key] = try value(1)
                }
            }
        }
    }

    /// DEMAND MODEL PDA, and its MINIMUM/REQUIRED PRESSURE and PRESSURE EXPONENT as read;
    /// EPANET's defaults: no pressure below 0, all of it from 0.1 (pressure units), exponent 0.5.
    var pressureDriven = false
    var pressureValues: [String: Double] = [:]

    mutating func applyDemandModel(_ units: HydraulicUnits) {
        guard pressureDriven else { return }
        let minimum = (pressureValues["MINIMUM"] ?? 0) / units.pressure
        let required = (pressureValues["REQUIRED"] ?? 0.1) / units.pressure
        network.options.demandModel = .pressureDriven(
            minimum: minimum, required: max(required, minimum + LinkCoefficients.minimumPressureRange),
            exponent: pressureValues["PRESSURE"] ?? 0.5)
    }

    mutating func readTimes() throws(HydraulicsError) {
        for (line, f) in rows("[TIMES]") where f.count >= 2 {
            let key = f[0].uppercased()
            if key == "DURATION" {
                network.options.durationS = try Self.duration(Array(f.dropFirst()), line: line)
                continue
            }
            guard f.count >= 3 else { continue }
            let seconds = { () throws(HydraulicsError) -> Int in try Self.duration(Array(f.dropFirst(2)), line: line) }
            switch (key, f[1].uppercased()) {
            case ("PATTERN", "TIMESTEP"): network.options.patternStepS = try seconds()
            case ("PATTERN", "START"): network.options.patternStartS = try seconds()
            case ("HYDRAULIC", "TIMESTEP"): network.options.hydraulicStepS = try seconds()
            case ("REPORT", "TIMESTEP"): network.options.reportStepS = try seconds()
            case ("RULE", "TIMESTEP"): network.options.ruleStepS = try seconds()
            case ("START", "CLOCKTIME"): network.options.startClockS = try seconds()
            default: continue
            }
        }
    }

    /// "1:30", "1:30:00", "1.5", "90 MIN", "2 DAYS" → seconds.
    static func duration(_ f: [String], line: Int) throws(HydraulicsError) -> Int {
        guard let text = f.first else { throw .syntax(line: line, "a time is missing") }
        if text.contains(":") {
            let parts = text.split(separator: ":").map { Double($0) }
            guard parts.allSatisfy({ $0 != nil }), (2...3).contains(parts.count) else {
                throw .syntax(line: line, "'\(text)' is not a time")
            }
            let values = parts.map { $0! }
            var seconds = values[0] * 3600 + values[1] * 60 + (values.count == 3 ? values[2] : 0)
            if let suffix = f.dropFirst().first?.uppercased(), suffix == "PM" || suffix == "AM" {
                seconds = seconds.truncatingRemainder(dividingBy: 12 * 3600) + (suffix == "PM" ? 12 * 3600 : 0)
            }
            return Int(seconds.rounded())
        }
        guard let value = Double(text) else { throw .syntax(line: line, "'\(text)' is not a time") }
        let unit = f.dropFirst().first?.uppercased() ?? "HOURS"
        let scale: Double
        switch unit {
        case "SEC", "SECOND", "SECONDS": scale = 1
        case "MIN", "MINUTE", "MINUTES": scale = 60
        case "DAY", "DAYS": scale = 86400
        case "AM": scale = 3600
        case "PM": return Int(((value.truncatingRemainder(dividingBy: 12)) + 12) * 3600)
        default: scale = 3600
        }
        return Int((value * scale).rounded())
    }

    // MARK: Nodes and links

    mutating func readNodes(_ units: HydraulicUnits) throws(HydraulicsError) {
        for (line, f) in rows("[JUNCTIONS]") {
            try need(f, 2, line, "a junction needs an id and an elevation")
            var node = WaterNetwork.Node(id: f[0], kind: .junction, elevation: try number(f, 1, line, "elevation") / units.length)
            if f.count > 2 {
                node.demands = [(try number(f, 2, line, "demand") / units.flow, f.count > 3 ? f[3] : nil)]
            }
            try network.add(node)
        }
        for (line, f) in rows("[RESERVOIRS]") {
            try need(f, 2, line, "a reservoir needs an id and a head")
            let node = WaterNetwork.Node(
                id: f[0], kind: .reservoir(headPattern: f.count > 2 ? f[2] : nil),
                elevation: try number(f, 1, line, "head") / units.length)
            try network.add(node)
        }
        for (line, f) in rows("[TANKS]") {
            try need(f, 6, line, "a tank needs id, elevation, initial, minimum and maximum level, and diameter")
            var tank = WaterNetwork.Tank(
                initialLevel: try number(f, 2, line, "initial level") / units.length,
                minLevel: try number(f, 3, line, "minimum level") / units.length,
                maxLevel: try number(f, 4, line, "maximum level") / units.length,
                diameter: try number(f, 5, line, "diameter") / units.length)
            // Optional: volume below the minimum level, a volume curve ("*": none), overflow.
            if f.count > 6 { tank.minVolume = try number(f, 6, line, "minimum volume") / units.volume }
            if f.count > 7 && f[7] != "*" { tank.volumeCurve = f[7] }
            if f.count > 8 { tank.canOverflow = ["YES", "TRUE"].contains(f[8].uppercased()) }
            guard tank.minLevel <= tank.initialLevel, tank.initialLevel <= tank.maxLevel else {
                throw .syntax(line: line, "tank \(f[0]): its initial level is outside its minimum and maximum")
            }
            try network.add(WaterNetwork.Node(id: f[0], kind: .tank(tank), elevation: try number(f, 1, line, "elevation") / units.length))
        }
    }

    mutating func readLinks(_ units: HydraulicUnits) throws(HydraulicsError) {
        for (line, f) in rows("[PIPES]") {
            try need(f, 6, line, "a pipe needs id, two nodes, length, diameter and roughness")
            let status = f.count > 7 ? f[7].uppercased() : "OPEN"
            var link = try endpoints(f, line, kind: .pipe(checkValve: status == "CV"))
            link.length = try number(f, 3, line, "length") / units.length
            link.diameter = try number(f, 4, line, "diameter") / units.diameter
            let roughness = try number(f, 5, line, "roughness")
            link.roughness = network.options.headloss == .darcyWeisbach ? roughness / units.roughness : roughness
            link.minorLoss = f.count > 6 ? try number(f, 6, line, "minor loss") : 0
            link.initiallyOpen = status != "CLOSED"
            guard link.length > 0, link.diameter > 0, link.roughness > 0 else {
                throw .syntax(line: line, "pipe \(f[0]) needs a positive length, diameter and roughness")
            }
            try network.add(link)
        }
        for (line, f) in rows("[PUMPS]") {
            try need(f, 3, line, "a pump needs an id and two nodes")
            var pump = WaterNetwork.Pump()
            var i = 3
            while i + 1 < f.count {
                switch f[i].uppercased() {
                case "HEAD": pump.headCurve = f[i + 1]
                case "POWER": pump.power = try number(f, i + 1, line, "power")
                case "SPEED": pump.speed = try number(f, i + 1, line, "speed")
                case "PATTERN": pump.speedPattern = f[i + 1]
                default: throw .syntax(line: line, "unknown pump keyword '\(f[i])' (HEAD, POWER, SPEED, PATTERN)")
                }
                i += 2
            }
            guard pump.headCurve != nil || pump.power != nil else {
                throw .syntax(line: line, "pump \(f[0]) needs a HEAD curve or a POWER")
            }
            var link = try endpoints(f, line, kind: .pump(pump))
            link.setting = pump.speed
            try network.add(link)
        }
        for (line, f) in rows("[VALVES]") {
            try need(f, 6, line, "a valve needs id, two nodes, diameter, type and setting")
            guard let type = WaterNetwork.ValveType(rawValue: f[4].uppercased()) else {
                throw .syntax(line: line, "valve type must be PRV, PSV, PBV, FCV, TCV or GPV")
            }
            var link = try endpoints(f, line, kind: .valve(type))
            link.diameter = try number(f, 3, line, "diameter") / units.diameter
            link.minorLoss = f.count > 6 ? try number(f, 6, line, "minor loss") : 0
            if type == .gpv {
                link.headlossCurve = f[5]
            } else {
                link.setting = Self.valveSetting(try number(f, 5, line, "setting"), type, units)
            }
            try network.add(link)
        }
    }

    static func valveSetting(_ value: Double, _ type: WaterNetwork.ValveType, _ units: HydraulicUnits) -> Double {
        switch type {
        case .prv, .psv, .pbv: value / units.pressure
        case .fcv: value / units.flow
        case .tcv, .gpv: value
        }
    }

    func endpoints(_ f: [String], _ line: Int, kind: WaterNetwork.Link.Kind) throws(HydraulicsError) -> WaterNetwork.Link {
        guard let a = network.nodeIndex[f[1]] else { throw .unknownReference(line: line, "link \(f[0]): no node '\(f[1])'") }
        guard let b = network.nodeIndex[f[2]] else { throw .unknownReference(line: line, "link \(f[0]): no node '\(f[2])'") }
        guard a != b else { throw .syntax(line: line, "link \(f[0]) connects node \(f[1]) to itself") }
        return WaterNetwork.Link(id: f[0], kind: kind, from: a, to: b)
    }

    // MARK: Demands, patterns, curves, status, emitters

    mutating func readDemands(_ units: HydraulicUnits) throws(HydraulicsError) {
        var replaced: Set<Int> = []
        for (line, f) in rows("[DEMANDS]") {
            try need(f, 2, line, "a demand needs a junction and a value")
            guard let i = network.nodeIndex[f[0]], network.nodes[i].isJunction else {
                throw .unknownReference(line: line, "no junction '\(f[0])'")
            }
            // EPANET: the first [DEMANDS] entry of a junction replaces its [JUNCTIONS] demand.
            if replaced.insert(i).inserted { network.nodes[i].demands = [] }
            network.nodes[i].demands.append((try number(f, 1, line, "demand") / units.flow, f.count > 2 ? f[2] : nil))
        }
    }

    mutating func readPatternsAndCurves() throws(HydraulicsError) {
        for (line, f) in rows("[PATTERNS]") {
            for i in 1..<f.count { network.patterns[f[0], default: []].append(try number(f, i, line, "multiplier")) }
        }
        for (line, f) in rows("[CURVES]") {
            try need(f, 3, line, "a curve point needs an id, x and y")
            network.curves[f[0], default: WaterNetwork.Curve()].x.append(try number(f, 1, line, "x"))
            network.curves[f[0], default: WaterNetwork.Curve()].y.append(try number(f, 2, line, "y"))
        }
        if network.options.defaultPattern == nil, network.patterns["1"] != nil { network.options.defaultPattern = "1" }
    }

    mutating func readStatus(_ units: HydraulicUnits) throws(HydraulicsError) {
        for (line, f) in rows("[STATUS]") {
            try need(f, 2, line, "a status needs a link and OPEN, CLOSED or a setting")
            guard let k = network.linkIndex[f[0]] else { throw .unknownReference(line: line, "no link '\(f[0])'") }
            try apply(f[1], to: k, line: line, units: units) { open, setting in
                if let open {
                    network.links[k].initiallyOpen = open
                    if case .valve = network.links[k].kind { network.links[k].setting = nil }
                }
                if let setting { network.links[k].setting = setting; network.links[k].initiallyOpen = true }
            }
        }
    }

    /// Parses "OPEN", "CLOSED" or a setting for link `k`.
    func apply(
        _ word: String, to k: Int, line: Int, units: HydraulicUnits,
        _ body: (Bool?, Double?) throws(HydraulicsError) -> Void
    ) throws(HydraulicsError) {
        switch word.uppercased() {
        case "OPEN": try body(true, nil)
        case "CLOSED": try body(false, nil)
        case "ACTIVE": try body(nil, nil)
        default:
            guard let v = Double(word) else { throw .syntax(line: line, "'\(word)' is not OPEN, CLOSED or a number") }
            switch network.links[k].kind {
            case .pipe: throw .syntax(line: line, "pipe \(network.links[k].id) takes OPEN or CLOSED, not a setting")
            case .pump: try body(nil, v)
            case .valve(let type): try body(nil, Self.valveSetting(v, type, units))
            }
        }
    }

    mutating func readEmitters(_ units: HydraulicUnits) throws(HydraulicsError) {
        let qexp = 1 / network.options.emitterExponent
        let scale = pow(units.flow, qexp) / units.pressure
        for (line, f) in rows("[EMITTERS]") {
            try need(f, 2, line, "an emitter needs a junction and a coefficient")
            guard let i = network.nodeIndex[f[0]], network.nodes[i].isJunction else {
                throw .unknownReference(line: line, "no junction '\(f[0])'")
            }
            let c = try number(f, 1, line, "coefficient")
            network.nodes[i].emitterCoefficient = c > 0 ? scale / pow(c, qexp) : 0
        }
    }

    // MARK: Controls and coordinates

    mutating func readControls(_ units: HydraulicUnits) throws(HydraulicsError) {
        for (line, f) in rows("[CONTROLS]") {
            // LINK id status|setting AT TIME t | AT CLOCKTIME t [AM|PM] | IF NODE id ABOVE|BELOW v
            try need(f, 6, line, "a control reads LINK id STATUS AT TIME t, AT CLOCKTIME t or IF NODE id ABOVE/BELOW v")
            guard f[0].uppercased() == "LINK", let k = network.linkIndex[f[1]] else {
                throw .unknownReference(line: line, "control: no link '\(f[1])'")
            }
            var open: Bool?
            var setting: Double?
            try apply(f[2], to: k, line: line, units: units) { o, s in open = o; setting = s }
            let trigger: WaterNetwork.Control.Trigger
            switch (f[3].uppercased(), f[4].uppercased()) {
            case ("AT", "TIME"): trigger = .atTime(seconds: try Self.duration(Array(f.dropFirst(5)), line: line))
            case ("AT", "CLOCKTIME"): trigger = .atClockTime(seconds: try Self.duration(Array(f.dropFirst(5)), line: line))
            case ("IF", "NODE"):
                try need(f, 8, line, "IF NODE id ABOVE|BELOW value")
                guard let n = network.nodeIndex[f[5]] else { throw .unknownReference(line: line, "control: no node '\(f[5])'") }
                let node = network.nodes[n]
                let raw = try number(f, 7, line, "control value")
                // Compared with the node's head: a tank's level or a junction's pressure.
                let head = node.elevation + (node.isJunction ? raw / units.pressure : raw / units.length)
                switch f[6].uppercased() {
                case "ABOVE": trigger = .nodeAbove(node: n, value: head)
                case "BELOW": trigger = .nodeBelow(node: n, value: head)
                default: throw .syntax(line: line, "control condition must be ABOVE or BELOW")
                }
            default: throw .syntax(line: line, "control must read AT TIME, AT CLOCKTIME or IF NODE")
            }
            network.controls.append(.init(link: k, open: open, setting: setting, trigger: trigger))
        }
    }

    mutating func readCoordinates() throws(HydraulicsError) {
        for (line, f) in rows("[COORDINATES]") {
            try need(f, 3, line, "a coordinate needs a node, x and y")
            guard let i = network.nodeIndex[f[0]] else { continue }
            network.nodes[i].x = try number(f, 1, line, "x")
            network.nodes[i].y = try number(f, 2, line, "y")
        }
    }

    // MARK: Helpers

    func need(_ f: [String], _ count: Int, _ line: Int, _ why: String) throws(HydraulicsError) {
        if f.count < count { throw .syntax(line: line, why) }
    }

    func number(_ f: [String], _ i: Int, _ line: Int, _ what: String) throws(HydraulicsError) -> Double {
        guard i < f.count else { throw .syntax(line: line, "\(what) is missing") }
        guard let v = Double(f[i]), v.isFinite else { throw .syntax(line: line, "\(what) '\(f[i])' is not a number") }
        return v
    }
}
