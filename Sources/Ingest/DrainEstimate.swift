/// How fast the database takes readings, from the writes that finished: a moving
/// average of the time per reading, so that ingest can tell how long a batch would
/// wait before its write starts.
public struct DrainEstimate: Sendable {
    /// Milliseconds per reading (per writer); nil until a write has finished.
    public private(set) var msPerReading: Double?
    /// Weight of the newest write.
    let weight = 0.3

    public init() {}

    /// Records a write of `count` readings that took `ms` milliseconds.
    public mutating func record(count: Int, ms: Double) {
        guard count > 0, ms.isFinite, ms >= 0 else { return }
        let sample = ms / Double(count)
        msPerReading = msPerReading.map { $0 + weight * (sample - $0) } ?? sample
    }

    /// The wait before a new write starts, with `queued` readings not started ahead of
    /// it, `running` readings being written, and `writers` writes at once.
    public func wait(queued: Int, running: Int, writers: Int) -> Duration {
        guard let msPerReading, queued + running > 0 else { return .zero }
        let ms = (Double(queued) + Double(running) / 2) * msPerReading / Double(max(1, writers))
        return .milliseconds(Int64(ms.rounded(.up)))
    }
}
