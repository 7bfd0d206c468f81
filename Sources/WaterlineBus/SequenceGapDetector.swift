/// A break in a publisher's sequence: messages `expected ..< received` never arrived.
public struct SequenceGap: Sendable, Equatable, CustomStringConvertible {
    public let publisher: String
    public let key: String
    public let expected: UInt64
    public let received: UInt64

    public init(publisher: String, key: String, expected: UInt64, received: UInt64) {
        self.publisher = publisher
        self.key = key
        self.expected = expected
        self.received = received
    }

    public var missing: UInt64 { received - expected }
    public var description: String {
        "publisher \(publisher) \(key): expected sequence \(expected), got \(received) (\(missing) missing)"
    }
}

/// Tracks the last sequence seen per (publisher, key) and reports gaps. A publisher
/// seen for the first time sets the baseline (a late subscriber missed history, not
/// a gap); a sequence that goes back means the publisher restarted.
public struct SequenceGapDetector: Sendable {
    private var last: [String: [String: UInt64]] = [:]

    public init() {}

    public mutating func observe(publisher: String, key: String, sequence: UInt64) -> SequenceGap? {
        defer { last[key, default: [:]][publisher] = sequence }
        guard let previous = last[key]?[publisher], sequence > previous + 1 else { return nil }
        return SequenceGap(publisher: publisher, key: key, expected: previous + 1, received: sequence)
    }

    /// A heartbeat: `latest` is the publisher's newest sequence on the key. Beyond the
    /// last one seen, the updates after it were lost (at the end of a burst, where no
    /// later update would show it).
    public mutating func observeHeartbeat(publisher: String, key: String, latest: UInt64) -> SequenceGap? {
        // Never lowered by a heartbeat: one may overtake the update it follows.
        defer { last[key, default: [:]][publisher] = max(latest, last[key]?[publisher] ?? 0) }
        guard let previous = last[key]?[publisher], latest > previous else { return nil }
        return SequenceGap(publisher: publisher, key: key, expected: previous + 1, received: latest + 1)
    }

    /// Whether `publisher` is new on a key that others published on before: another
    /// replica took the key over, and whatever its predecessor stored but never
    /// published (it died in between) is only in the log. Call before ``observe``.
    public func isHandover(publisher: String, key: String) -> Bool {
        guard let publishers = last[key], !publishers.isEmpty else { return false }
        return publishers[publisher] == nil
    }

    /// Whether `sequence` goes back for this publisher and key: it restarted (with the
    /// same name), and what it stored but had not published before is only in the log.
    /// Call before ``observe``.
    public func isRestart(publisher: String, key: String, sequence: UInt64) -> Bool {
        guard let previous = last[key]?[publisher] else { return false }
        return sequence <= previous
    }

    /// Forgets a key (a partition given up): when it is taken again, its publishers'
    /// sequences start a new baseline instead of looking like a gap.
    public mutating func reset(key: String) {
        last.removeValue(forKey: key)
    }
}
