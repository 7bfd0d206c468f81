/// Turns a stream of scored points into events.
///
/// Sensor health is kept apart from hydraulics: gap and stuck/out-of-range flags from
/// cleaning become `data_gap` and `sensor_fault` events for that sensor and never
/// count as hydraulic evidence. A sensor is *alarming* when at least `minPoints` of
/// its last `window` scored points were anomalous. Per zone, an alarming inlet flow
/// above its forecast, or at least two alarming pressure sensors below theirs, is a
/// leak; a burst when the inlet's excess at onset is at least `burstRelativeExcess` of
/// the forecast (abrupt and large). A zone-wide drop in inflow is a demand anomaly,
/// an alarming tank level a tank anomaly. An event ends when no new evidence came for
/// `quietMs` of data time. Time is the data's own, so replays at any speed agree.
public struct EventDetector: Sendable {
    public struct Config: Sendable, Equatable {
        public var window = 10
        public var minPoints = 5
        public var quietMs: Int64 = 3_600_000
        public var burstRelativeExcess = 0.2
        /// Consecutive gap or fault points before a sensor health event opens.
        public var minHealthPoints = 5
        public init() {}
    }

    private struct SensorWindow: Sendable {
        var recent: [(ts: Int64, anomalous: Bool, score: Double, relative: Double)] = []
        var firstAnomalousMs: Int64?
        var gapRun = 0
        var faultRun = 0
        var firstGapMs: Int64 = 0
        var firstFaultMs: Int64 = 0
    }

    public let config: Config
    private var sensors: [String: SensorWindow] = [:]
    /// Open events by key: "zone|hydraulic", "zone|tank", "sensor|data_gap", ...
    private var open: [String: DetectedEvent] = [:]

    public init(config: Config = Config()) {
        self.config = config
    }

    public var openEvents: [DetectedEvent] { Array(open.values) }

    /// Feeds one point; returns what changed.
    public mutating func observe(_ p: ScoredPoint) -> [DetectionChange] {
        roles[p.sensorID] = (p.zone, p.role)
        var changes = endQuietEvents(now: p.tsMs)
        var w = sensors[p.sensorID] ?? SensorWindow()
        defer { sensors[p.sensorID] = w }

        // Sensor health first: such points are never hydraulic evidence.
        if p.flags & ScoredPoint.gapFlag != 0 || p.value == nil {
            if w.gapRun == 0 { w.firstGapMs = p.tsMs }
            w.gapRun += 1
            if w.gapRun >= config.minHealthPoints {
                changes += health(.dataGap, p, since: w.firstGapMs)
            }
            return changes
        }
        w.gapRun = 0
        changes += endHealth(.dataGap, sensorID: p.sensorID)
        if p.flags & (ScoredPoint.stuckFlag | ScoredPoint.outOfRangeFlag) != 0 {
            if w.faultRun == 0 { w.firstFaultMs = p.tsMs }
            w.faultRun += 1
            if w.faultRun >= config.minHealthPoints {
                changes += health(.sensorFault, p, since: w.firstFaultMs)
            }
            return changes
        }
        w.faultRun = 0
        changes += endHealth(.sensorFault, sensorID: p.sensorID)
        guard p.warmedUp else { return changes }

        let relative = p.forecastMean != 0 ? ((p.value ?? 0) - p.forecastMean) / abs(p.forecastMean) : 0
        w.recent.append((p.tsMs, p.anomalous, p.score, relative))
        if w.recent.count > config.window { w.recent.removeFirst(w.recent.count - config.window) }
        if p.anomalous {
            if w.firstAnomalousMs == nil { w.firstAnomalousMs = p.tsMs }
        } else if !w.recent.contains(where: \.anomalous) {
            w.firstAnomalousMs = nil
        }
        sensors[p.sensorID] = w
        changes += evaluateZone(after: p)
        return changes
    }

    // MARK: Zone fusion

    private func direction(_ id: String) -> (alarming: Bool, sign: Double, relative: Double, since: Int64)? {
        guard let w = sensors[id] else { return nil }
        let anomalous = w.recent.filter(\.anomalous)
        guard anomalous.count >= config.minPoints else { return (false, 0, 0, 0) }
        let meanScore = anomalous.map(\.score).reduce(0, +) / Double(anomalous.count)
        let firstRelative = anomalous.first!.relative
        return (true, meanScore >= 0 ? 1 : -1, firstRelative, w.firstAnomalousMs ?? anomalous.first!.ts)
    }

    private mutating func evaluateZone(after p: ScoredPoint) -> [DetectionChange] {
        let key = "\(p.zone)|\(p.role == .level ? "tank" : "hydraulic")"
        if var event = open[key] {
            // An open event collects every anomalous point of the zone as evidence.
            guard p.anomalous else { return [] }
            add(p, to: &event)
            event.severity = max(event.severity, severity(event))
            event.confidence = confidence(event)
            open[key] = event
            return [.updated(event)]
        }
        guard p.anomalous else { return [] }
        let members = sensorsInZone(p.zone)
        var type: DetectedEventType?
        var start = p.tsMs
        if p.role == .level {
            if let d = direction(p.sensorID), d.alarming { type = .tankAnomaly; start = d.since }
        } else {
            let inlet = members.filter { $0.role == .inletFlow }.compactMap { m in direction(m.id).map { (m.id, $0) } }
            let pressures = members.filter { $0.role == .pressure }.compactMap { m in direction(m.id).map { (m.id, $0) } }
            let inletUp = inlet.first { $0.1.alarming && $0.1.sign > 0 }
            let inletDown = inlet.first { $0.1.alarming && $0.1.sign < 0 }
            let pressureDown = pressures.filter { $0.1.alarming && $0.1.sign < 0 }
            if let up = inletUp {
                type = up.1.relative >= config.burstRelativeExcess ? .burst : .leak
                start = ([up.1.since] + pressureDown.map(\.1.since)).min()!
            } else if pressureDown.count >= 2 {
                type = .leak
                start = pressureDown.map(\.1.since).min()!
            } else if let down = inletDown {
                type = .demandAnomaly
                start = down.1.since
            }
        }
        guard let type else { return [] }
        var event = DetectedEvent(
            id: "\(p.zone)-\(type.rawValue)-\(start)", type: type, zone: p.zone, startMs: start,
            lastEvidenceMs: p.tsMs, endMs: nil, severity: 0, confidence: 0, evidence: [], modelVersion: p.modelVersion)
        // Seed the evidence with the zone's alarming sensors' recent anomalous points.
        for m in members {
            guard let w = sensors[m.id] else { continue }
            for r in w.recent where r.anomalous {
                appendEvidence(m.id, m.role, ts: r.ts, score: r.score, relative: r.relative, to: &event)
            }
        }
        event.severity = severity(event)
        event.confidence = confidence(event)
        open[key] = event
        return [.opened(event)]
    }

    private var roles: [String: (zone: String, role: SensorRole)] = [:]

    private func sensorsInZone(_ zone: String) -> [(id: String, role: SensorRole)] {
        roles.filter { $0.value.zone == zone }.map { ($0.key, $0.value.role) }
    }

    /// Registers a sensor's zone and role (the detector learns them from points too).
    public mutating func register(sensorID: String, zone: String, role: SensorRole) {
        roles[sensorID] = (zone, role)
    }

    private mutating func add(_ p: ScoredPoint, to event: inout DetectedEvent) {
        let relative = p.forecastMean != 0 ? ((p.value ?? 0) - p.forecastMean) / abs(p.forecastMean) : 0
        appendEvidence(p.sensorID, p.role, ts: p.tsMs, score: p.score, relative: relative, to: &event)
        event.lastEvidenceMs = max(event.lastEvidenceMs, p.tsMs)
    }

    /// Evidence stores deviations relative to the forecast (forecast normalised to 1),
    /// so sensors of different units can be compared.
    private func appendEvidence(
        _ id: String, _ role: SensorRole, ts: Int64, score: Double, relative: Double, to event: inout DetectedEvent
    ) {
        if let i = event.evidence.firstIndex(where: { $0.sensorID == id }) {
            var e = event.evidence[i]
            e.firstMs = min(e.firstMs, ts)
            e.lastMs = max(e.lastMs, ts)
            if abs(score) > abs(e.peakScore) { e.peakScore = score }
            e.deviationSum += relative
            e.forecastSum += 1
            e.anomalousPoints += 1
            event.evidence[i] = e
        } else {
            event.evidence.append(SensorEvidence(
                sensorID: id, role: role, firstMs: ts, lastMs: ts, peakScore: score,
                deviationSum: relative, forecastSum: 1, anomalousPoints: 1))
        }
    }

    private func severity(_ e: DetectedEvent) -> Double {
        let inletExcess = e.evidence.filter { $0.role == .inletFlow }.map { abs($0.meanDeviation) }.max() ?? 0
        let peak = e.evidence.map { abs($0.peakScore) }.max() ?? 0
        return min(1, max(inletExcess / 0.5, peak / 20))
    }

    private func confidence(_ e: DetectedEvent) -> Double {
        let corroborating = e.evidence.filter { $0.anomalousPoints >= config.minPoints }.count
        return min(0.95, 0.4 + 0.15 * Double(corroborating))
    }

    // MARK: Sensor health

    private mutating func health(_ type: DetectedEventType, _ p: ScoredPoint, since: Int64) -> [DetectionChange] {
        let key = "\(p.sensorID)|\(type.rawValue)"
        if var event = open[key] {
            event.lastEvidenceMs = p.tsMs
            event.evidence[0].lastMs = p.tsMs
            event.evidence[0].anomalousPoints += 1
            open[key] = event
            return []  // health events change only when they open and end
        }
        let evidence = SensorEvidence(
            sensorID: p.sensorID, role: p.role, firstMs: since, lastMs: p.tsMs, peakScore: 0,
            deviationSum: 0, forecastSum: 0, anomalousPoints: config.minHealthPoints)
        let event = DetectedEvent(
            id: "\(p.sensorID)-\(type.rawValue)-\(since)", type: type, zone: p.zone, startMs: since,
            lastEvidenceMs: p.tsMs, endMs: nil, severity: 0.3, confidence: 0.9, evidence: [evidence],
            modelVersion: p.modelVersion)
        open[key] = event
        return [.opened(event)]
    }

    // MARK: Ending

    /// Ends a sensor's health event once a clean point of that sensor arrives.
    private mutating func endHealth(_ type: DetectedEventType, sensorID: String) -> [DetectionChange] {
        guard var event = open.removeValue(forKey: "\(sensorID)|\(type.rawValue)") else { return [] }
        event.endMs = event.lastEvidenceMs
        return [.ended(event)]
    }

    /// Ends hydraulic and tank events whose evidence has been gone for `quietMs`.
    private mutating func endQuietEvents(now: Int64) -> [DetectionChange] {
        var changes: [DetectionChange] = []
        for (key, event) in open where event.type != .dataGap && event.type != .sensorFault {
            if now - event.lastEvidenceMs > config.quietMs {
                var ended = event
                ended.endMs = event.lastEvidenceMs
                open[key] = nil
                changes.append(.ended(ended))
            }
        }
        return changes
    }
}
