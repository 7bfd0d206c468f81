import Cleaning
import Simulation
import WaterlineKit
import WaterlineProto

/// A clean scenario made dirty the way field data is, with a record of what was done:
/// duplicates, spikes, a stuck sensor, rows held back to arrive late, and readings sent
/// again with another value (conflicts). `expected` is what the cleaning must make of it.
struct DirtyScenario {
    let scenario: Scenario
    /// What the replay sends first, in time order.
    var main: [ScenarioReading] = []
    /// Sent after the main replay: long past their slots.
    var late: [ScenarioReading] = []
    /// Sent last: a different value for a (sensor, ts) stored before.
    var conflicts: [ScenarioReading] = []
    /// Held back and sent late in kPa (the value here is in the sensor's bar).
    var lateInKPa: ScenarioReading?
    /// Held back and sent while preprocess is down, long after its slot was cleaned.
    var lateWhileDown: ScenarioReading?
    var spikes: [(sensor: String, tsMs: Int64)] = []
    var stuck: (sensor: String, from: Int64, to: Int64)
    var duplicates = 0

    init(_ scenario: Scenario) {
        self.scenario = scenario
        let step = scenario.meta.stepMs
        let start = scenario.meta.startMs
        let pressure = scenario.sensors.filter { $0.kind == "pressure" }.map(\.sensorId)
        let spikeSensor = pressure[0]
        stuck = (pressure[1], start + 30 * 3_600_000, start + 33 * 3_600_000)
        let lateSensors = Set(scenario.sensors.prefix(3).map(\.sensorId))
        let lateTimes: Set<Int64> = [start + 20 * 3_600_000, start + 20 * 3_600_000 + step, start + 26 * 3_600_000]
        let spikeTimes: Set<Int64> = [start + 10 * 3_600_000, start + 22 * 3_600_000 + 2 * step, start + 40 * 3_600_000]
        var frozen: Double?
        for var r in scenario.readings {
            if r.sensorId == spikeSensor && spikeTimes.contains(r.tsMs) {
                r.value += 3  // bar: far outside the noise
                spikes.append((r.sensorId, r.tsMs))
            }
            if r.sensorId == stuck.sensor && r.tsMs >= stuck.from && r.tsMs <= stuck.to {
                if frozen == nil { frozen = r.value }
                r.value = frozen!
            }
            if lateSensors.contains(r.sensorId) && lateTimes.contains(r.tsMs) {
                late.append(r)
                continue
            }
            if r.sensorId == pressure[3] && r.tsMs == start + 18 * 3_600_000 {
                lateInKPa = r
                continue
            }
            if r.sensorId == pressure[4] && r.tsMs == start + 2 * 3_600_000 {
                lateWhileDown = r
                continue
            }
            main.append(r)
            // Every 97th reading is sent twice, as a retrying device does.
            if main.count % 97 == 0 {
                main.append(r)
                duplicates += 1
            }
        }
        let conflictTimes = [start + 15 * 3_600_000, start + 36 * 3_600_000]
        for ts in conflictTimes {
            if var r = main.first(where: { $0.sensorId == pressure[2] && $0.tsMs == ts }) {
                r.value += 0.05
                conflicts.append(r)
            }
        }
    }

    /// The clean series the services must store: each sensor's final readings (the
    /// conflicting values win) cleaned in time order by the pure cleaner, with the
    /// settings preprocess derives from the registry; the last version of each point.
    func expected() -> [String: [CleanSample]] {
        let inlets = Set(scenario.meta.zones.flatMap(\.inletSensors))
        var final: [String: [Int64: RawSample]] = [:]
        for r in main + late + [lateInKPa, lateWhileDown].compactMap({ $0 }) {
            final[r.sensorId, default: [:]][r.tsMs] = RawSample(tsMs: r.tsMs, value: r.value)
        }
        for r in conflicts { final[r.sensorId, default: [:]][r.tsMs] = RawSample(tsMs: r.tsMs, value: r.value, conflict: true) }
        var out: [String: [CleanSample]] = [:]
        for s in scenario.sensors {
            let sensor = Sensor(s, cadenceMs: scenario.meta.stepMs, inlets: inlets)
            var cleaner = SeriesCleaner(config: CleaningConfig(sensor: sensor, maxFillSteps: 5))
            let readings = (final[s.sensorId] ?? [:]).values.sorted { $0.tsMs < $1.tsMs }.map { r in
                var canonical = r
                canonical.value = sensor.toCanonical.map { $0(r.value) } ?? r.value
                return canonical
            }
            out[s.sensorId] = (cleaner.add(readings) + cleaner.flush()).latestVersions()
        }
        return out
    }
}
