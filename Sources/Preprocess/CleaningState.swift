import Cleaning
import Foundation
import Logging
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Per-sensor cleaners, owned by one actor so batches are cleaned one at a time and
/// in arrival order.
///
/// A sensor's cleaner is rebuilt from MongoDB (raw readings and stored clean points)
/// the first time the sensor is seen after a start, and whenever readings arrive for
/// slots already emitted (late, or a conflicting value): the rebuild re-cleans the
/// affected window and returns only the points that changed, at the next revision.
actor CleaningState {
    private var cleaners: [String: SeriesCleaner] = [:]
    private var lastInputWallMs: [String: Int64] = [:]
    /// The last rebuild (or catch-up) of a sensor read every reading with a timestamp
    /// in `from...to` that ingest had received before `beforeMs`: such a reading,
    /// arriving late on the stream, is in the clean series already.
    private var reflected: [String: (from: Int64, to: Int64, beforeMs: Int64)] = [:]
    private let maxFillSteps: Int
    private let readings: MongoCollection
    private let clean: MongoCollection
    private let counters: ServiceCounters
    private let logger: Logger

    /// Margin for a reading stored just before a rebuild read the database but
    /// published after: it triggers one more (harmless) rebuild rather than none.
    static let reflectionMarginMs: Int64 = 2_000

    init(maxFillSteps: Int, readings: MongoCollection, clean: MongoCollection, counters: ServiceCounters, logger: Logger) {
        self.logger = logger
        self.maxFillSteps = maxFillSteps
        self.readings = readings
        self.clean = clean
        self.counters = counters
    }

    /// Cleans readings of known sensors; returns the points to store and publish.
    func add(_ batch: [RawReading], sensors: [String: Sensor]) async throws -> [CleanPoint] {
        // Values enter cleaning in the canonical unit of their kind (bar, m³/h, m); the
        // raw value in the sensor's own unit stays in `readings`.
        var bySensor: [String: [RawReading]] = [:]
        for r in batch where sensors[r.sensorID] != nil { bySensor[r.sensorID, default: []].append(r) }
        var out: [CleanPoint] = []
        let now = nowMs()
        for (id, raws) in bySensor {
            guard let sensor = sensors[id] else { continue }
            var cleaner = try await cleaner(for: sensor)
            let (duplicates, conflicts) = (cleaner.duplicateCount, cleaner.conflictCount)
            var points = cleaner.add(raws.map { $0.sample(sensor) })
            counters.add("duplicate_readings", cleaner.duplicateCount - duplicates)
            counters.add("conflicting_readings", cleaner.conflictCount - conflicts)
            let receivedMs = Dictionary(raws.map { ($0.tsMs, $0.receivedMs) }, uniquingKeysWith: max)
            let late = cleaner.takeLate().filter { !isReflected(id, tsMs: $0.tsMs, receivedMs: receivedMs[$0.tsMs] ?? .max) }
            counters.add("late", late.count)
            if !late.isEmpty {
                // The rebuild covers every slot from before the first late one to the
                // newest reading, so what the live cleaner just emitted is superseded.
                (cleaner, points) = try await rebuild(sensor, live: cleaner, late: late)
            }
            out += points.map { CleanPoint(sensorID: id, sample: $0) }
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

    /// Prepares the sensor's cleaner (rebuilding it from MongoDB after a start) and
    /// returns the first slot not yet emitted, where catching up resumes.
    func prepare(_ sensor: Sensor) async throws -> Int64? {
        let cleaner = try await cleaner(for: sensor)
        cleaners[sensor.sensorID] = cleaner
        return cleaner.nextSlot
    }

    /// Records that catching up read every reading of the sensor from `fromMs` on that
    /// ingest had received by `readAtMs` (when the first page was read).
    func caughtUp(_ sensorID: String, fromMs: Int64, readAtMs: Int64) {
        reflected[sensorID] = (fromMs, .max, readAtMs - Self.reflectionMarginMs)
    }

    private func isReflected(_ sensorID: String, tsMs: Int64, receivedMs: Int64) -> Bool {
        guard let r = reflected[sensorID] else { return false }
        return tsMs >= r.from && tsMs <= r.to && receivedMs < r.beforeMs
    }

    /// The cleaner of a sensor; after a start, rebuilt from the stored history around
    /// its last stored clean point, so stuck runs, spike windows and revisions carry on.
    private func cleaner(for sensor: Sensor) async throws -> SeriesCleaner {
        if let existing = cleaners[sensor.sensorID] { return existing }
        let config = CleaningConfig(sensor: sensor, maxFillSteps: maxFillSteps)
        let last = try await clean.findOne(
            seriesRange(sensor.sensorID, from: 0, to: Int64.max / 2), sort: ["_id": -1])
        guard let last else { return SeriesCleaner(config: config) }
        let lastSlot = CleanPoint(document: last).tsMs
        let compareFrom = lastSlot + config.cadenceMs
        let startSlot = compareFrom - Int64(config.rebuildLeadInSlots) * config.cadenceMs
        let raws = try await readings.find(seriesRange(sensor.sensorID, from: startSlot, to: lastSlot + config.cadenceMs - 1), sort: ["_id": 1])
        let stored = try await clean.find(seriesRange(sensor.sensorID, from: startSlot - config.cadenceMs, to: lastSlot), sort: ["_id": 1])
        // Readings up to the last stored slot only, and nothing compared: the stored
        // points stand; the cleaner picks up the run, the spike window and the
        // revisions of the points still awaiting judgement.
        return SeriesCleaner.rebuild(
            config: config, startSlot: startSlot, raws: raws.map { RawReading(document: $0).sample(sensor) },
            stored: stored.map { CleanPoint(document: $0).sample }, compareFrom: compareFrom
        ).cleaner
    }

    /// Re-cleans the window that late readings fall in from what MongoDB holds.
    private func rebuild(_ sensor: Sensor, live: SeriesCleaner, late: [RawSample]) async throws -> (SeriesCleaner, [CleanSample]) {
        let config = CleaningConfig(sensor: sensor, maxFillSteps: maxFillSteps)
        let cadence = config.cadenceMs
        let lateSlots = Set(late.map { Self.slot(of: $0.tsMs, cadence) })
        let compareFrom = lateSlots.min()! - Int64(config.reachBackSlots) * cadence
        let startSlot = compareFrom - Int64(config.rebuildLeadInSlots) * cadence
        // Up to the newest reading the stream has brought: later ones are still on
        // their way and will arrive in order, not as late readings.
        let newest = max(live.newestReadingTs ?? .min, late.map(\.tsMs).max()!)
        let readAt = nowMs()
        let raws = try await readings.find(seriesRange(sensor.sensorID, from: startSlot, to: newest), sort: ["_id": 1])
        let stored = try await clean.find(seriesRange(sensor.sensorID, from: startSlot - cadence, to: Int64.max / 2), sort: ["_id": 1])
        counters.add("rebuilds")
        reflected[sensor.sensorID] = (startSlot, newest, readAt - Self.reflectionMarginMs)
        let result = SeriesCleaner.rebuild(
            config: config, startSlot: startSlot, raws: raws.map { RawReading(document: $0).sample(sensor) },
            stored: stored.map { CleanPoint(document: $0).sample }, compareFrom: compareFrom, lateSlots: lateSlots)
        logger.info("preprocess: re-cleaned \(sensor.sensorID) after \(late.count) late readings", metadata: [
            "from_ms": "\(compareFrom)", "to_ms": "\(newest)", "points_changed": "\(result.changes.count)",
        ])
        return (result.cleaner, result.changes)
    }

    private static func slot(of ts: Int64, _ cadence: Int64) -> Int64 {
        ts >= 0 ? ts / cadence * cadence : (ts - cadence + 1) / cadence * cadence
    }
}

extension RawReading {
    /// The reading as the cleaner sees it: in the canonical unit of the sensor's kind.
    func sample(_ sensor: Sensor) -> RawSample {
        RawSample(
            tsMs: tsMs, value: sensor.toCanonical.map { $0(value) } ?? value, traceID: traceID, conflict: conflict)
    }
}
