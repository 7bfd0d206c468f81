import Cleaning
import Simulation
import WaterlineKit
import WaterlineProto

/// A scenario's sensors as regular clean series on a common time axis, cleaned by the
/// same `SeriesCleaner` and settings preprocess uses: the values a model sees (nil for
/// gaps and for stuck or out-of-range points). `firstVersions` keeps each point as it
/// was first published (what a live detector sees at that time) instead of its latest
/// revision (a spike corrected minutes later, say).
struct CleanScenario {
    let startMs: Int64
    let cadenceMs: Int64
    let sensorIDs: [String]
    /// Per sensor, one value per step from `startMs`.
    let values: [[Double?]]

    init(
        _ scenario: Scenario, firstVersions: Bool = false, only kinds: Set<String>? = nil,
        dropping unusable: QualityFlags = .unfitForModel
    ) {
        let cadence = scenario.meta.stepMs
        let roles = BalanceRoles(zones: scenario.meta.zones)
        var bySensor: [String: [RawSample]] = [:]
        for r in scenario.readings { bySensor[r.sensorId, default: []].append(RawSample(tsMs: r.tsMs, value: r.value)) }
        var cleaned: [[Int64: Double?]] = []
        let sensors = scenario.sensors.filter { kinds?.contains($0.kind) ?? true }
        for s in sensors {
            let sensor = Sensor(s, cadenceMs: cadence, roles: roles)
            var cleaner = SeriesCleaner(config: CleaningConfig(sensor: sensor, maxFillSteps: 5))
            let raws = (bySensor[s.sensorId] ?? []).sorted { $0.tsMs < $1.tsMs }.map { r -> RawSample in
                var canonical = r
                canonical.value = sensor.toCanonical.map { $0(r.value) } ?? r.value
                return canonical
            }
            let published = cleaner.add(raws) + cleaner.finish()
            let points = firstVersions
                ? Dictionary(published.map { ($0.tsMs, $0) }, uniquingKeysWith: { first, _ in first })
                : published.latestBySlot()
            cleaned.append(points.mapValues { $0.flags.isDisjoint(with: unusable) ? $0.value : nil })
        }
        let first = cleaned.compactMap { $0.keys.min() }.min() ?? scenario.meta.startMs
        let last = cleaned.compactMap { $0.keys.max() }.max() ?? first
        let steps = Int((last - first) / cadence) + 1
        startMs = first
        cadenceMs = cadence
        sensorIDs = sensors.map(\.sensorId)
        values = cleaned.map { series in (0..<steps).map { series[first + Int64($0) * cadence] ?? nil } }
    }

    var steps: Int { values.first?.count ?? 0 }

    /// Per step, the sum of these sensors' values (nil when one of them has none): a
    /// zone's inflow from its inlet meters.
    func summed(_ ids: [String]) -> [Double?] {
        let columns = ids.map { id in sensorIDs.firstIndex(of: id) }
        return (0..<steps).map { i in
            var sum = 0.0
            for c in columns {
                guard let c, let v = values[c][i] else { return nil }
                sum += v
            }
            return sum
        }
    }
}
