/// A break in a publisher's sequence: messages `expected ..< received` never arrived.
public struct SequenceGap: Sendable, Equatable, CustomStringConvertible {
    public let publisher: String
    public let key: String
    public let expected: UInt64
    public let received: UInt64

    public var missing: UInt64 { received - expected }
    public var description: String {
        "publisher \(publisher) \(key): expected sequence \(expected), got \(received) (\(missing) missing)"
    }
}

/// Tracks the last sequence seen per (publisher, key) and reports gaps. A publisher
/// seen for the first time sets the baseline (a late subscriber missed history, not
/// a gap); a sequence that goes back means the publisher restarted.
public struct SequenceGapDetector: Sendable {
    private var last: [String: UInt64] = [:]

    public init() {}

    public mutating func observe(publisher: String, key: String, sequence: UInt64) -> SequenceGap? {
        let id = publisher + "\u{1F}" + key
        defer { last[id] = sequence }
        guard let previous = last[id], sequence > previous + 1 else { return nil }
        return SequenceGap(publisher: publisher, key: key, expected: previous + 1, received: sequence)
    }
}
