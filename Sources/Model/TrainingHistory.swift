import Forecasting
import Mongo
import WaterlineKit
import WaterlineProto

/// The clean history a training run learns from: every sensor of the most common
/// cadence, on one time axis, its usable clean values (gaps, stuck and out-of-range
/// points are missing, never values), with the windows of events operators kept
/// (anything but a false positive) blanked out in the event's zone, so the model
/// does not learn a leak as normal.
struct TrainingHistory {
    var sensorIDs: [String] = []
    var startMs: Int64 = 0
    var cadenceMs: Int64 = 60_000
    var values: [[Double?]] = []
    var blankedPoints = 0
    var skippedSensors: [String] = []

    /// Event types that describe the network's behaviour (not a sensor's health).
    static let hydraulicTypes: Set<String> = ["leak", "burst", "demand_anomaly", "tank_anomaly"]

    static func load(
        sensors: [Sensor], from: Int64, to: Int64, clean: SeriesStore, events: MongoCollection
    ) async throws -> TrainingHistory {
        var history = TrainingHistory()
        let cadences = Dictionary(grouping: sensors, by: \.cadenceMs).mapValues(\.count)
        guard let cadence = cadences.max(by: { ($0.value, -$0.key) < ($1.value, -$1.key) })?.key, cadence > 0 else { return history }
        history.cadenceMs = cadence
        history.startMs = from - ((from % cadence) + cadence) % cadence
        let steps = Int((to - history.startMs) / cadence) + 1
        let kept = try await events.find([
            "start_ms": ["$lte": .int64(to)], "status": ["$ne": .string("false_positive")],
        ])
        for sensor in sensors {
            guard sensor.cadenceMs == cadence else {
                history.skippedSensors.append(sensor.sensorID)
                continue
            }
            var series = [Double?](repeating: nil, count: steps)
            for d in try await clean.find(sensor.sensorID, from: history.startMs, to: to) {
                let p = CleanPoint(document: d)
                let i = Int((p.tsMs - history.startMs) / cadence)
                guard i >= 0, i < steps, p.hasValue, p.flags & ScoringState.unfitFlags == 0 else { continue }
                series[i] = p.value
            }
            for e in kept where e["zone"]?.stringValue == sensor.zone && hydraulicTypes.contains(e["type"]?.stringValue ?? "") {
                let start = e["start_ms"]?.int64Value ?? 0
                let end = e["end_ms"]?.int64Value ?? e["last_evidence_ms"]?.int64Value ?? to
                let first = max(0, Int((start - history.startMs) / cadence))
                let last = min(steps - 1, Int((max(end, start) - history.startMs) / cadence))
                guard first <= last else { continue }
                for i in first...last where series[i] != nil {
                    series[i] = nil
                    history.blankedPoints += 1
                }
            }
            history.sensorIDs.append(sensor.sensorID)
            history.values.append(series)
        }
        return history
    }

    var steps: Int { values.first?.count ?? 0 }
}
