/// At most `limit` requests per `window` for each client address, counted in fixed
/// windows shared by all addresses (so up to twice the limit can pass around a window's
/// turn). IPv6 addresses count by their /64, which one host can rotate through. At most
/// `maxKeys` addresses are tracked per window: when that many are, new ones are refused
/// until the window turns (under such a flood, refusing protects the services behind).
actor RateLimiter {
    let limit: Int
    let window: Duration
    let maxKeys: Int
    private var windowStart = ContinuousClock.now
    private var counts: [String: Int] = [:]

    init(limit: Int, window: Duration, maxKeys: Int = 100_000) {
        self.limit = limit
        self.window = window
        self.maxKeys = maxKeys
    }

    /// Counts a request; false when the address has used up this window.
    func allow(_ address: String, now: ContinuousClock.Instant = .now) -> Bool {
        if now - windowStart >= window {
            windowStart = now
            counts.removeAll(keepingCapacity: true)
        }
        let key = Self.key(address)
        let used = counts[key, default: 0]
        guard used < limit, used > 0 || counts.count < maxKeys else { return false }
        counts[key] = used + 1
        return true
    }

    /// An IPv4 address as it is; an IPv6 address by its first four groups (its /64).
    static func key(_ address: String) -> String {
        guard address.contains(":") else { return address }
        var groups = address.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if let gap = groups.firstIndex(of: ""), address.contains("::") {
            // Expand "::" so the first four groups are the real ones.
            let present = groups.filter { !$0.isEmpty }.count
            groups.replaceSubrange(gap...gap, with: Array(repeating: "0", count: max(0, 8 - present)))
            groups.removeAll { $0.isEmpty }
        }
        return groups.prefix(4).joined(separator: ":") + "::/64"
    }

    /// Seconds until the window turns over (for `Retry-After`).
    func secondsLeft(now: ContinuousClock.Instant = .now) -> Int {
        max(1, Int((window - (now - windowStart)).components.seconds))
    }
}
