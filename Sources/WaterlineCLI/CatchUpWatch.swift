import Foundation
import Mongo
import WaterlineKit

/// Waits until the pipeline has worked off what was sent: every clean point has its score.
///
/// Counting every stored point reads the whole series, which grows with the history: on
/// SecantusDB a count of the demo's 1.1 million clean points and scores took 10 s of the
/// database, and counting every 10 s held the pipeline back by half. This watches the
/// buckets holding each sensor's last sent reading instead (a stage handles a sensor's
/// points in time order, so those fill last), and counts everything once they are full,
/// to confirm (again every `recountEvery` while the counts differ), and when the tail has
/// not moved for `patience`, to tell a long wait from a pipeline that stopped.
public struct CatchUpWatch: Sendable {
    public let clean: SeriesStore
    public let scores: SeriesStore
    /// The buckets of each sensor's last sent reading.
    public let tailBuckets: [String]
    public var recountEvery: Duration = .seconds(15)
    /// How long nothing may move before the watch gives up.
    public var patience: Duration = .seconds(120)

    public struct Outcome: Sendable {
        public var clean: Int
        public var scored: Int
        /// When the last score arrived (or the last progress, when the watch gave up).
        public var settledAt: ContinuousClock.Instant
        public var caughtUp: Bool
    }

    /// - Parameter lastMs: each sensor's last sent reading time.
    public init(_ mongo: MongoClient, lastMs: [String: Int64]) {
        clean = SeriesStore(mongo.collection(Collections.clean), rule: .clean)
        scores = SeriesStore(mongo.collection(Collections.scores), rule: .scores)
        tailBuckets = lastMs.sorted { $0.key < $1.key }.map { seriesKey($0.key, SeriesBucket.start(of: $0.value)) }
    }

    /// - Parameter progress: called about every two seconds while the watch waits.
    public func wait(progress: () async -> Void = {}) async throws -> Outcome {
        let tail: Document = ["bucket": ["$in": .array(tailBuckets.map { .string($0) })]]
        // The last time a count moved, tail or whole.
        var moved = ContinuousClock.now
        var lastTail = -1
        var lastScored = -1
        var lastCount: ContinuousClock.Instant?
        var lastProgress = ContinuousClock.now
        while true {
            let tailClean = try await clean.countPoints(tail)
            let tailScored = try await scores.countPoints(tail)
            if tailScored != lastTail { (lastTail, moved) = (tailScored, .now) }
            let tailDone = tailClean > 0 && tailScored >= tailClean
            if tailDone && lastCount.map({ ContinuousClock.now - $0 >= recountEvery }) ?? true {
                lastCount = .now
                let (allClean, allScored) = (try await clean.countPoints(), try await scores.countPoints())
                if allScored != lastScored { (lastScored, moved) = (allScored, .now) }
                if allClean > 0 && allScored >= allClean {
                    return Outcome(clean: allClean, scored: allScored, settledAt: moved, caughtUp: true)
                }
            }
            if ContinuousClock.now - moved > patience {
                // The tail may not have begun yet: give up only when nothing moved at all.
                let (allClean, allScored) = (try await clean.countPoints(), try await scores.countPoints())
                guard allScored != lastScored else {
                    return Outcome(clean: allClean, scored: allScored, settledAt: moved, caughtUp: false)
                }
                (lastScored, moved) = (allScored, .now)
            }
            if ContinuousClock.now - lastProgress >= .seconds(2) {
                lastProgress = .now
                await progress()
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
