import Cleaning
import Detection
import Forecasting
import Hydraulics
import Simulation
import WaterlineKit
import WaterlineProto

/// The pure algorithms of preprocess, model and insight run in one process over a
/// scenario, with no sockets and no database: the same cleaning, scoring and event
/// logic as the services, for evaluation and tuning (`waterline eval`).
public struct OfflinePipeline {
    public var anomalyThreshold = 1.5
    public var detection = EventDetector.Config()
    public var maxFillSteps = 5
    /// As insight's `WATERLINE_INSIGHT_ZONE_LATENESS_MS`.
    public var zoneLatenessMs: Int64 = 900_000
    /// Called for every scored point of this sensor (for `waterline eval --trace`).
    public var traceSensor: String?
    public var trace: (Int64, Double?, AnomalyScorer.Result) -> Void = { _, _, _ in }
    /// Called with each new verdict of this zone's balance detector (`--trace-balance`).
    public var traceBalanceZone: String?
    public var traceBalance: (InflowLeakDetector.Verdict) -> Void = { _ in }
    /// The utility's network model: leaks and bursts are located on it as insight locates
    /// them (`WATERLINE_NETWORK_FILE`), at every change of their pressure residuals.
    public var network: WaterNetwork?

    /// Where a leak or burst was located: its top pipe, and the data time of the point
    /// whose change first named that pipe (when it could have been reported).
    public struct Located: Sendable, Equatable {
        public var pipe: String
        public var atMs: Int64
    }

    public init() {}

    /// Runs the scenario through cleaning, scoring and detection; returns the events.
    public func run(_ scenario: Scenario) -> (events: [FoundEvent], scored: Int) {
        let (detected, scored, _) = detect(scenario)
        return (detected.map(Self.found), scored)
    }

    /// A detector's event as the summary shows it.
    public static func found(_ e: DetectedEvent) -> FoundEvent {
        FoundEvent(
            id: e.id, type: e.type.rawValue, zone: e.zone, sensorIDs: e.sensorIDs, startMs: e.startMs,
            severity: e.severity, summary: e.summary)
    }

    /// The detector's events as they last stood (ended ones with their end), in start order.
    public func detect(_ scenario: Scenario) -> (events: [DetectedEvent], scored: Int, located: [String: Located]) {
        let balance = BalanceRoles(zones: scenario.meta.zones)
        var cleaners: [String: SeriesCleaner] = [:]
        var scorers: [String: AnomalyScorer] = [:]
        // The registry entries, as insight reads them: zone, role, storage area.
        var registry: [String: Sensor] = [:]
        var toCanonical: [String: @Sendable (Double) -> Double] = [:]
        for s in scenario.sensors {
            // The same settings preprocess derives from the registry entry.
            let sensor = Sensor(s, cadenceMs: scenario.meta.stepMs, roles: balance)
            toCanonical[s.sensorId] = sensor.toCanonical
            cleaners[s.sensorId] = SeriesCleaner(config: CleaningConfig(sensor: sensor, maxFillSteps: maxFillSteps))
            scorers[s.sensorId] = AnomalyScorer(threshold: anomalyThreshold)
            registry[s.sensorId] = sensor
        }
        var detector = EventDetector(config: detection)
        var events: [String: DetectedEvent] = [:]
        // Judged in the order insight judges them: a zone's slot once all its sensors reported it.
        // Zones joined by a meter between them share their slots, as in insight.
        let groups = BalanceGroups(registry.values)
        var gate = ZoneSlotGate(latenessMs: zoneLatenessMs)
        for (id, sensor) in registry { gate.register(sensorID: id, zone: groups.group(of: sensor.zone)) }
        // As insight's event book: the zones' rosters before their first points.
        for sensor in registry.values.sorted(by: { $0.sensorID < $1.sensorID }) { detector.register(sensor) }
        var tracedThrough = Int64.min
        var locators = network.map { LocatorCache(network: $0) }
        var located: [String: Located] = [:]
        var locatedFrom: [String: [String: Double]] = [:]
        /// As insight's event book: relocated when the residuals changed.
        func locate(_ e: DetectedEvent, at tsMs: Int64) {
            guard e.type == .leak || e.type == .burst, locators != nil, locatedFrom[e.id] != e.pressureResiduals else { return }
            locatedFrom[e.id] = e.pressureResiduals
            var byNode: [String: Double] = [:]
            for (id, r) in e.pressureResiduals {
                if let node = registry[id]?.nodeID, !node.isEmpty { byNode[node] = r * NetworkLocator.metresOfHeadPerBar }
            }
            guard let pipe = locators?.locate(residualsM: byNode)?.pipes.first?.linkID, located[e.id]?.pipe != pipe else { return }
            located[e.id] = Located(pipe: pipe, atMs: tsMs)
        }
        func judge(_ released: [ScoredPoint]) {
            for point in released {
                for change in detector.observe(point) {
                    events[change.event.id] = change.event
                    locate(change.event, at: point.tsMs)
                }
                if let zone = traceBalanceZone, let v = detector.balanceVerdict(zone: zone), v.tsMs > tracedThrough {
                    tracedThrough = v.tsMs
                    traceBalance(v)
                }
            }
        }
        var scored = 0
        // Feed in chunks of one hour of readings, as a stream would.
        var index = 0
        let readings = scenario.readings
        while index < readings.count {
            let chunkEnd = min(index + 60 * scenario.sensors.count, readings.count)
            var bySensor: [String: [RawSample]] = [:]
            for r in readings[index..<chunkEnd] {
                // In the kind's canonical unit, as preprocess converts them.
                let value = toCanonical[r.sensorId].map { $0(r.value) } ?? r.value
                bySensor[r.sensorId, default: []].append(RawSample(tsMs: r.tsMs, value: value))
            }
            index = chunkEnd
            var points: [(String, CleanSample)] = []
            for (id, samples) in bySensor {
                guard var cleaner = cleaners[id] else { continue }
                points += cleaner.add(samples).map { (id, $0) }
                cleaners[id] = cleaner
            }
            points.sort { ($0.1.tsMs, $0.0) < ($1.1.tsMs, $1.0) }
            for (id, sample) in points {
                guard var scorer = scorers[id], let sensor = registry[id] else { continue }
                let usable = sample.value != nil && sample.flags.isDisjoint(with: QualityFlags.unfitForModel)
                guard let result = scorer.score(sample.value, usable: usable, at: sample.tsMs) else { continue }
                scorers[id] = scorer
                scored += 1
                if id == traceSensor { trace(sample.tsMs, sample.value, result) }
                var point = ScoredPoint(
                    sensorID: id, zone: sensor.zone, role: SensorRole(sensor), tsMs: sample.tsMs, value: sample.value,
                    forecastMean: result.forecast.mean, score: result.surprise, anomalous: result.anomalous,
                    warmedUp: result.forecast.warmedUp, flags: sample.flags.rawValue, modelVersion: "offline")
                point.storageAreaM2 = sensor.storageAreaM2
                point.outletOfZone = sensor.outletOfZone
                _ = gate.add(point, group: groups.group(of: sensor.zone))
            }
            judge(gate.release())
        }
        judge(gate.releaseAll())
        // Open events as they stand now (their last change may be older than their loss).
        for e in detector.openEvents { events[e.id] = e }
        return (events.values.sorted { ($0.startMs, $0.id) < ($1.startMs, $1.id) }, scored, located)
    }
}
