import Mongo
import WaterlineBus

/// Compacts the buckets a live writer has moved on from: the live path stores about one
/// segment per sensor and batch (``SeriesBucket``), so an hour of one-minute points ends
/// as up to 60 documents. When a store first writes a sensor's next hour, the hour it
/// leaves (if it holds three segments or more) is written again as one base segment
/// (``SeriesBucket/baseSegment()``) under the next `seq`, and the segments before it are
/// deleted. One bucket at a time, in the background, paced (``minimumPause``), best effort: a bucket another
/// writer changed meanwhile (its base `seq` is taken) is left as it is, and a reader folds
/// the same points whether or not a bucket was compacted or its old segments deleted yet.
final class SeriesCompactor: Sendable {
    private let queue: AsyncStream<SeriesBucket>.Continuation
    private let pending = Locked(0)
    static let maxPending = 10_000
    /// After each compaction the compactor waits three times as long as it took (at least
    /// 20 ms), so it takes at most a quarter of the database's time: deletes are its
    /// dearest writes (1.5 ms per document on SecantusDB). Under a replay faster than
    /// real time more buckets are left than that allows; past `maxPending` waiting, they
    /// stay uncompacted.
    static let minimumPause = Duration.milliseconds(20)

    init(_ collection: MongoCollection) {
        let (stream, continuation) = AsyncStream.makeStream(of: SeriesBucket.self)
        queue = continuation
        let pending = pending
        Task.detached {
            for await bucket in stream {
                let started = ContinuousClock.now
                await Self.compact(bucket, in: collection)
                pending.withLock { $0 -= 1 }
                try? await Task.sleep(for: max(Self.minimumPause, (ContinuousClock.now - started) * 3))
            }
        }
    }

    deinit { queue.finish() }

    /// Queues a bucket as this store last stored it (dropped when too many wait).
    func enqueue(_ bucket: SeriesBucket) {
        guard pending.withLock({ n -> Bool in
            guard n < Self.maxPending else { return false }
            n += 1
            return true
        }) else { return }
        queue.yield(bucket)
    }

    static func compact(_ bucket: SeriesBucket, in collection: MongoCollection) async {
        let base = bucket.baseSegment()
        guard let stored = try? await collection.insertMany([base]), stored.inserted == 1, let seq = base["seq"] else { return }
        _ = try? await collection.bulkWrite([.deleteMany(filter: ["bucket": .string(bucket.id), "seq": ["$lt": seq]])])
    }
}
