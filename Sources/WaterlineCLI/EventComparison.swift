import Foundation

/// Events of two runs of the same readings side by side (the running services and the
/// in-process pipeline): same readings ⇒ same events, whatever the timing, batching or
/// restarts. Events are matched by type, zone and start; a matched pair differs when its
/// severity (to two decimals) or its summary does.
public struct EventComparison: Sendable {
    public var onlyFirst: [FoundEvent] = []
    public var onlySecond: [FoundEvent] = []
    public var differing: [(first: FoundEvent, second: FoundEvent)] = []
    public var matched = 0

    public var equal: Bool { onlyFirst.isEmpty && onlySecond.isEmpty && differing.isEmpty }

    public init(_ first: [FoundEvent], _ second: [FoundEvent]) {
        func key(_ e: FoundEvent) -> String { "\(e.type)|\(e.zone)|\(e.startMs)" }
        var pending = Dictionary(grouping: second, by: key)
        for e in first.sorted(by: { $0.startMs < $1.startMs }) {
            guard var candidates = pending[key(e)], !candidates.isEmpty else { onlyFirst.append(e); continue }
            let other = candidates.removeFirst()
            pending[key(e)] = candidates
            if String(format: "%.2f", e.severity) != String(format: "%.2f", other.severity) || e.summary != other.summary {
                differing.append((e, other))
            } else {
                matched += 1
            }
        }
        onlySecond = pending.values.flatMap { $0 }.sorted { $0.startMs < $1.startMs }
    }

    /// One line per difference, then the totals.
    public func report(first: String, second: String) -> [String] {
        func line(_ e: FoundEvent) -> String { "\(e.type) \(e.zone) from \(isoTime(e.startMs)), severity \(String(format: "%.2f", e.severity)): \(e.summary)" }
        var lines: [String] = []
        lines += onlyFirst.map { "only \(first): \(line($0))" }
        lines += onlySecond.map { "only \(second): \(line($0))" }
        lines += differing.flatMap { ["differs, \(first): \(line($0.first))", "        \(second): \(line($0.second))"] }
        lines.append("\(matched) events equal; \(onlyFirst.count) only \(first), \(onlySecond.count) only \(second), \(differing.count) differ")
        return lines
    }
}
