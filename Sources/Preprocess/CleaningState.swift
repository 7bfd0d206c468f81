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
    /// When the last readings of any sensor were cleaned (wall clock).
    private var lastAnyInputWallMs: Int64 = 0
    /// The last rebuild (or catch-up) of a sensor read every reading with a timestamp
    /// in `from...to` that ingest had received before `beforeMs`: such a reading,
    /// arriving late on the stream, is in the clean series already.
    private var reflected: [String: (from: Int64, to: Int64, beforeMs: Int64)] = [:]
    /// Per sensor, the newest receipt time of the readings cleaned so far.
    private var seenThroughMs: [String: Int64] = [:]
    /// The newest reading's timestamp of the live stream so far.
    private var streamWatermarkMs: Int64 = .min
    private let maxFillSteps: Int
    private let readings: SeriesStore
    private let clean: SeriesStore
    private let counters: ServiceCounters
    private let logger: Logger

    /// Margin for a reading stored just before a rebuild read the database but
    /// published after: it triggers one more (harmless) rebuild rather than none.
    static let reflectionMarginMs: Int64 = 2_000

    init(maxFillSteps: Int, readings: SeriesStore, clean: SeriesStore, counters: ServiceCounters, logger: Logger) {
        self.logger = logger
        self.maxFillSteps = maxFillSteps
        self.readings = readings
        self.clean = clean
        self.counters = counters
    }

    var sensorCount: Int { cleaners.count }

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
            // Taken out of the dictionary while it works, so its buffers are not
            // shared (and copied); on an error it stays out and is rebuilt from
            // MongoDB next time.
            var (cleaner, points) = try await take(sensor)
            let (duplicates, conflicts) = (cleaner.duplicateCount, cleaner.conflictCount)
            points += cleaner.add(raws.map { $0.sample(sensor) })
            counters.add("duplicate_readings", cleaner.duplicateCount - duplicates)
            counters.add("conflicting_readings", cleaner.conflictCount - conflicts)
            var late = cleaner.takeLate()
            if !late.isEmpty {  // rare: the receipt times are looked up only then
                let receivedMs = Dictionary(raws.map { ($0.tsMs, $0.receivedMs) }, uniquingKeysWith: max)
                late.removeAll { isReflected(id, tsMs: $0.tsMs, receivedMs: receivedMs[$0.tsMs] ?? .max) }
            }
            counters.add("late", late.count)
            if !late.isEmpty {
                // The rebuild covers every slot from before the first late one to the
                // newest reading, so what the live cleaner just emitted is superseded.
                let (rebuilt, changes) = try await rebuild(sensor, live: cleaner, late: late)
                let rebuiltSlots = Set(changes.map(\.tsMs))
                points = points.filter { !rebuiltSlots.contains($0.tsMs) } + changes
                cleaner = rebuilt
            }
            let seen = max(seenThroughMs[id] ?? 0, raws.map(\.receivedMs).max() ?? 0)
            seenThroughMs[id] = seen
            out += points.map { CleanPoint(sensorID: id, sample: $0, seenThroughMs: seen) }
            cleaners[id] = cleaner
            lastAnyInputWallMs = now
        }
        return out
    }

    /// Flushes what sensors hold once the whole stream has been quiet for `idleMs` (wall
    /// clock): the end of a replay, or a network that stopped reporting. A pause shorter
    /// than that (an upstream stall) emits nothing that readings still on their way would
    /// have judged. Nor does a pause of a live stream between two polls: a sensor is
    /// flushed only when its newest reading is older than its allowed lateness plus
    /// `streamLatenessMs` by the clock, as ``flushBehind(streamNewestMs:streamLatenessMs:)``
    /// judges against the stream (historical data always is).
    func flushIdle(idleMs: Int64, streamLatenessMs: Int64) -> [CleanPoint] {
        let now = nowMs()
        guard now - lastAnyInputWallMs >= idleMs else { return [] }
        return flush { cleaner in now - cleaner.config.allowedLatenessMs - streamLatenessMs }
    }

    /// Flushes the sensors with held readings whose newest reading is older than
    /// `horizon(cleaner)`.
    private func flush(olderThan horizon: (SeriesCleaner) -> Int64) -> [CleanPoint] {
        var out: [CleanPoint] = []
        for (id, cleaner) in cleaners where cleaner.hasPending {
            guard let newest = cleaner.newestReadingTs, newest < horizon(cleaner) else { continue }
            var flushed = cleaner
            out += flushed.flush().map { CleanPoint(sensorID: id, sample: $0, seenThroughMs: seenThroughMs[id] ?? 0) }
            cleaners[id] = flushed
        }
        return out
    }

    /// Flushes the sensors that have fallen behind the stream: whose newest reading is
    /// older than the newest reading this replica has seen by more than their allowed
    /// lateness plus `streamLatenessMs` (how far out of step sensors may arrive). Judged
    /// in data time, so the same readings flush the same way however they were batched
    /// or paced (the wall-clock idle flush is left for a stream gone quiet).
    func flushBehind(streamNewestMs: Int64, streamLatenessMs: Int64) -> [CleanPoint] {
        streamWatermarkMs = max(streamWatermarkMs, streamNewestMs)
        let out = flush { [streamWatermarkMs] cleaner in streamWatermarkMs - cleaner.config.allowedLatenessMs - streamLatenessMs }
        if !out.isEmpty { counters.add("flushed_behind_stream", out.count) }
        return out
    }

    /// Drops the sensors' cleaners after their points could not be stored: each is
    /// rebuilt from MongoDB (the last stored point and every reading after it) when
    /// its next reading arrives, so nothing in between is lost.
    func forget(_ sensorIDs: Set<String>) {
        for id in sensorIDs {
            cleaners.removeValue(forKey: id)
            reflected.removeValue(forKey: id)
        }
    }

    /// Prepares the sensor's cleaner (rebuilding it from MongoDB after a start).
    /// Returns the points the rebuild produced (from readings stored after the last
    /// clean point) and the first slot not yet emitted, where catching up resumes.
    func prepare(_ sensor: Sensor) async throws -> (points: [CleanPoint], nextSlot: Int64?) {
        let (cleaner, points) = try await take(sensor)
        cleaners[sensor.sensorID] = cleaner
        let seen = seenThroughMs[sensor.sensorID] ?? 0
        return (points.map { CleanPoint(sensorID: sensor.sensorID, sample: $0, seenThroughMs: seen) }, cleaner.nextSlot)
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

    /// The sensor's cleaner, taken out of the dictionary; after a start (or after it
    /// was forgotten), rebuilt from MongoDB with the points that produced.
    private func take(_ sensor: Sensor) async throws -> (SeriesCleaner, [CleanSample]) {
        if let existing = cleaners.removeValue(forKey: sensor.sensorID) { return (existing, []) }
        return try await resume(sensor)
    }

    /// Rebuilds a sensor's cleaner around its last stored clean point, so stuck runs,
    /// spike windows and points awaiting judgement carry on, and cleans every reading
    /// stored after it (the ones a crash or a failed write left uncleaned). A sensor
    /// with no clean point yet starts afresh (catching up reads its readings).
    ///
    /// The readings of slots after the last stored point are cleaned as the live stream
    /// would have cleaned them, in time order: first versions, then the corrections as
    /// they are judged. A rebuild would merge them, and downstream would see other first
    /// versions than a preprocess that never stopped (the model learns from them).
    private func resume(_ sensor: Sensor) async throws -> (SeriesCleaner, [CleanSample]) {
        let config = CleaningConfig(sensor: sensor, maxFillSteps: maxFillSteps)
        let last = try await clean.newest(sensor.sensorID)
        guard let last else { return (SeriesCleaner(config: config), []) }
        let lastSlot = CleanPoint(document: last).tsMs
        let compareFrom = lastSlot + config.cadenceMs
        let startSlot = compareFrom - Int64(config.rebuildLeadInSlots) * config.cadenceMs
        let readAt = nowMs()
        let raws = try await readings.find(sensor.sensorID, from: startSlot, to: Int64.max / 2).map(RawReading.init(document:))
        let stored = try await clean.find(sensor.sensorID, from: startSlot - config.cadenceMs, to: lastSlot)
        let emitted = raws.filter { $0.tsMs < compareFrom }
        // Nothing before `compareFrom` is compared: the stored points stand.
        let result = SeriesCleaner.rebuild(
            config: config, startSlot: startSlot, raws: emitted.map { $0.sample(sensor) },
            stored: stored.map { CleanPoint(document: $0).sample }, compareFrom: compareFrom)
        var (cleaner, points) = (result.cleaner, result.changes)
        let storedSeen = stored.map { CleanPoint(document: $0).seenThroughMs }.max() ?? 0
        seenThroughMs[sensor.sensorID] = max(storedSeen, raws.map(\.receivedMs).max() ?? 0)
        // Readings received while this service was down (or its stream lost them) for
        // slots before the compared window — its lead-in too, whose stored points the
        // resume leaves standing — are cleaned in now, as late ones. Those of the last
        // batches cleaned before the stop are within the search margin too: cleaned
        // again, they change nothing, and nothing is published or marked late. (Points
        // stored before `seen_through_ms` existed say nothing: no search then.)
        if storedSeen > 0 {
            let missed = try await readings.received(sensor.sensorID, after: storedSeen - Self.reflectionMarginMs, before: compareFrom)
            if !missed.isEmpty {
                let (rebuilt, changes) = try await rebuild(
                    sensor, live: cleaner, late: missed.map { RawReading(document: $0).sample(sensor) }, markLate: false)
                counters.add("late", changes.count)
                let rebuiltSlots = Set(changes.map(\.tsMs))
                (cleaner, points) = (rebuilt, points.filter { !rebuiltSlots.contains($0.tsMs) } + changes)
            }
        }
        // Every reading from `startSlot` on that ingest had received by `readAt` is in now.
        reflected[sensor.sensorID] = (startSlot, .max, readAt - Self.reflectionMarginMs)
        points += cleaner.add(raws.filter { $0.tsMs >= compareFrom }.map { $0.sample(sensor) })
        _ = cleaner.takeLate()  // in time order from the database: none is late
        return (cleaner, points)
    }

    /// Re-cleans the window that late readings fall in from what MongoDB holds.
    /// `markLate`: flag the late readings' slots late whether or not they change (false:
    /// only the points that gained readings are, the rest may have been cleaned already).
    private func rebuild(_ sensor: Sensor, live: SeriesCleaner, late: [RawSample], markLate: Bool = true) async throws -> (SeriesCleaner, [CleanSample]) {
        let config = CleaningConfig(sensor: sensor, maxFillSteps: maxFillSteps)
        let cadence = config.cadenceMs
        let lateSlots = Set(late.map { Self.slot(of: $0.tsMs, cadence) })
        let compareFrom = lateSlots.min()! - Int64(config.reachBackSlots) * cadence
        let startSlot = compareFrom - Int64(config.rebuildLeadInSlots) * cadence
        // Up to the newest reading the stream has brought: later ones are still on
        // their way and will arrive in order, not as late readings.
        let newest = max(live.newestReadingTs ?? .min, late.map(\.tsMs).max()!)
        let readAt = nowMs()
        let raws = try await readings.find(sensor.sensorID, from: startSlot, to: newest)
        let stored = try await clean.find(sensor.sensorID, from: startSlot - cadence, to: Int64.max / 2)
        counters.add("rebuilds")
        reflected[sensor.sensorID] = (startSlot, newest, readAt - Self.reflectionMarginMs)
        let result = SeriesCleaner.rebuild(
            config: config, startSlot: startSlot, raws: raws.map { RawReading(document: $0).sample(sensor) },
            stored: stored.map { CleanPoint(document: $0).sample }, compareFrom: compareFrom, lateSlots: markLate ? lateSlots : [])
        // After a restart the search's margin brings readings cleaned before: said only
        // when they changed something.
        if markLate || !result.changes.isEmpty { logger.info("preprocess: re-cleaned \(sensor.sensorID) after \(late.count) late readings", metadata: [
            "from_ms": "\(compareFrom)", "to_ms": "\(newest)", "points_changed": "\(result.changes.count)",
        ]) }
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
            tsMs: tsMs, value: sensor.toCanonical(from: unit).map { $0(value) } ?? value, traceID: traceID, conflict: conflict)
    }
}
