/// At most `limit` requests per `window` for each key (a client address), counted in
/// fixed windows. Memory stays bounded: keys of past windows are dropped.
actor RateLimiter {
    let limit: Int
    let window: Duration
    private var windowStart = ContinuousClock.now
    private var counts: [String: Int] = [:]

    init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    /// Counts a request; false when the key has used up this window.
    func allow(_ key: String, now: ContinuousClock.Instant = .now) -> Bool {
        if now - windowStart >= window {
            windowStart = now
            counts.removeAll(keepingCapacity: true)
        }
        let used = counts[key, default: 0]
        guard used < limit else { return false }
        counts[key] = used + 1
        return true
    }

    /// Seconds until the window turns over (for `Retry-After`).
    func secondsLeft(now: ContinuousClock.Instant = .now) -> Int {
        max(1, Int((window - (now - windowStart)).components.seconds))
    }
}
