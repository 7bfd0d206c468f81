import Cleaning
import Foundation
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Per-sensor cleaners, owned by one actor so batches are cleaned one at a time and
/// in arrival order.
actor CleaningState {
    private var cleaners: [String: SensorCleaner] = [:]
    private var lastInputWallMs: [String: Int64] = [:]
    private let maxFillSteps: Int
    private let clean: MongoCollection

    init(maxFillSteps: Int, clean: MongoCollection) {
        self.maxFillSteps = maxFillSteps
        self.clean = clean
    }

    /// Cleans readings of known sensors; returns the points that became final.
    func add(_ readings: [RawReading], sensors: [String: Sensor]) async throws -> [CleanPoint] {
        // Values enter cleaning in the canonical unit of their kind (bar, m³/h, m); the
        // raw value in the sensor's own unit stays in `readings`.
        var bySensor: [String: [RawSample]] = [:]
        for r in readings {
            guard let sensor = sensors[r.sensorID] else { continue }
            let value = sensor.toCanonical.map { $0(r.value) } ?? r.value
            bySensor[r.sensorID, default: []].append(RawSample(tsMs: r.tsMs, value: value, traceID: r.traceID))
        }
        var out: [CleanPoint] = []
        let now = nowMs()
        for (id, samples) in bySensor {
            guard let sensor = sensors[id] else { continue }
            var cleaner = try await cleaner(for: sensor)
            out += cleaner.add(samples).map { CleanPoint(sensorID: id, sample: $0) }
            cleaners[id] = cleaner
            lastInputWallMs[id] = now
        }
        return out
    }

    /// Flushes sensors that have held readings and no input for `idleMs`.
    func flushIdle(idleMs: Int64) -> [CleanPoint] {
        let now = nowMs()
        var out: [CleanPoint] = []
        for (id, var cleaner) in cleaners where cleaner.hasPending && now - (lastInputWallMs[id] ?? 0) >= idleMs {
            out += cleaner.flush().map { CleanPoint(sensorID: id, sample: $0) }
            cleaners[id] = cleaner
        }
        return out
    }

    /// Where the sensor's clean series resumes: the first slot not yet emitted.
    func nextSlot(_ id: String) -> Int64? { cleaners[id]?.nextSlot }

    var lateReadings: Int { cleaners.values.reduce(0) { $0 + $1.lateCount } }

    /// The cleaner of a sensor, resumed from its last stored clean point after a restart.
    private func cleaner(for sensor: Sensor) async throws -> SensorCleaner {
        if let existing = cleaners[sensor.sensorID] { return existing }
        let config = CleaningConfig(sensor: sensor, maxFillSteps: maxFillSteps)
        let last = try await clean.findOne(
            seriesRange(sensor.sensorID, from: 0, to: Int64.max / 2), sort: ["_id": -1])
        guard let last else { return SensorCleaner(config: config) }
        let point = CleanPoint(document: last)
        return SensorCleaner(config: config, resumeAfter: point.tsMs, lastValue: point.hasValue ? point.value : nil)
    }
}
