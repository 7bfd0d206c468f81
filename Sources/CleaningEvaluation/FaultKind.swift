/// The faults the injector puts into a clean series.
public enum FaultKind: String, Codable, CaseIterable, Sendable {
    /// One reading far off the series (±8…15 robust noise scales).
    case spike
    /// A run of readings frozen to the value at the run's start.
    case stuck
    /// 1…5 missing readings: short enough for the cleaner to interpolate.
    case shortGap
    /// 20…100 missing readings: too long to fill; no value may be invented.
    case longGap
    /// A reading sent twice with the same timestamp and value.
    case duplicate
    /// A block of readings delivered shuffled, each within the allowed lateness.
    case outOfOrder
    /// A stretch of readings sent in another unit (kPa instead of bar, …).
    case unitSwitch

    /// Faults that leave the series' values untouched (only the delivery changes): a
    /// flag on one of their slots is as wrong as a flag on an untouched slot.
    public var keepsValues: Bool { self == .duplicate || self == .outOfOrder }
}

/// One injected fault: its kind and the slots it covers.
public struct InjectedFault: Codable, Sendable, Equatable {
    public var kind: FaultKind
    /// The first slot index.
    public var start: Int
    /// Slots covered (1 for a spike or a duplicate).
    public var length: Int

    public init(kind: FaultKind, start: Int, length: Int) {
        self.kind = kind
        self.start = start
        self.length = length
    }

    public var slots: Range<Int> { start..<(start + length) }
}
