import Logging
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Keeps each sensor's newest clean point in `latest_clean` (the public levels page's
/// current values), written at most every `interval` in one bulk write rather than with
/// every batch: an upsert costs ten inserts on SecantusDB, and one per sensor and batch
/// held the live path back (the `latency` bench's p50 went from 69 ms to 267 ms with it).
/// The stored point is never replaced by an older one (the filter), so writers may
/// overlap. What a killed process had not written yet is written with the sensor's next
/// point.
final class LatestCleanWriter: Sendable {
    private let collection: MongoCollection
    private let timer: FlushTimer
    private let counters: ServiceCounters
    private let logger: Logger
    private struct State {
        var pending: [String: CleanPoint] = [:]
    }
    private let state = Locked(State())

    init(_ collection: MongoCollection, interval: Duration = .seconds(1), counters: ServiceCounters, logger: Logger) {
        self.collection = collection
        timer = FlushTimer(interval: interval)
        self.counters = counters
        self.logger = logger
    }

    /// Points just stored: each sensor's newest is written within `interval`.
    func note(_ points: [CleanPoint]) {
        let waiting = state.withLock { s -> Bool in
            for p in points where p.tsMs >= s.pending[p.sensorID]?.tsMs ?? .min { s.pending[p.sensorID] = p }
            return !s.pending.isEmpty
        }
        if waiting { timer.arm { [weak self] in await self?.flush() } }
    }

    /// Writes what is pending now; on failure it is kept for the next flush.
    func flush() async {
        let taken = state.withLock { s -> [String: CleanPoint] in
            let taken = s.pending
            s.pending = [:]
            return taken
        }
        guard !taken.isEmpty else { return }
        let writes: [MongoCollection.WriteModel] = taken.values.map { p in
            var document = p.document
            document["_id"] = .string(p.sensorID)
            return .replaceOne(
                filter: ["_id": .string(p.sensorID), "ts_ms": ["$lte": .int64(p.tsMs)]], replacement: document, upsert: true)
        }
        do {
            _ = try await collection.bulkWrite(writes, ordered: false).checked("store latest clean")
        } catch {
            counters.add("errors")
            logger.warning("preprocess: storing current values failed; trying again", metadata: ["error": "\(error)"])
            note(Array(taken.values))
        }
    }
}
