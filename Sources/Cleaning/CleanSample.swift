/// Quality flags of a clean point (the bit values of `waterline.v1.QualityFlag`).
public struct QualityFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Interpolated over a short gap.
    public static let imputed = QualityFlags(rawValue: 1)
    /// Several readings fell in the slot.
    public static let aggregated = QualityFlags(rawValue: 2)
    /// Part of a gap too long to fill: no value.
    public static let gap = QualityFlags(rawValue: 4)
    /// Outside the sensor's plausible range.
    public static let outOfRange = QualityFlags(rawValue: 8)
    /// Arrived after its slot was emitted.
    public static let late = QualityFlags(rawValue: 16)
    /// Unchanged for longer than plausible.
    public static let stuck = QualityFlags(rawValue: 32)
    /// A spike: the value is the median of its window, the raw value what was read.
    public static let spike = QualityFlags(rawValue: 64)
    /// Two different values arrived for the same timestamp; the last one written counts.
    public static let conflict = QualityFlags(rawValue: 128)
    /// Part of a run of repeated readings (at least ``repeatedAfter``), not yet long
    /// enough to be stuck: a first version the detector must not take as evidence, since
    /// the run may turn out stuck (flagged then, as corrections it does not judge).
    public static let repeated = QualityFlags(rawValue: 256)
    /// Readings in a run before its points are `repeated`.
    public static let repeatedAfter = 3

    /// Flags that make a point unfit as model input.
    public static let unfitForModel: QualityFlags = [.gap, .outOfRange, .stuck]
}

/// A raw reading as the cleaner sees it.
public struct RawSample: Sendable, Equatable {
    public var tsMs: Int64
    public var value: Double
    public var traceID: String
    /// This value replaced a different one sent earlier for the same timestamp.
    public var conflict: Bool

    public init(tsMs: Int64, value: Double, traceID: String = "", conflict: Bool = false) {
        self.tsMs = tsMs
        self.value = value
        self.traceID = traceID
        self.conflict = conflict
    }
}

/// One point of the clean, regular series: one per cadence slot.
public struct CleanSample: Sendable, Equatable {
    /// Start of the slot.
    public var tsMs: Int64
    /// nil for a slot in a gap too long to fill.
    public var value: Double?
    /// The last raw reading of the slot, if any reading fell in it.
    public var rawValue: Double?
    public var flags: QualityFlags
    /// 1 for the first version of a point; each correction (a late reading, a spike
    /// judged once its window is complete) is published with the next revision and
    /// replaces the previous one.
    public var revision: UInt32
    /// The exponentially weighted moving average of the clean values, for display and
    /// for models that want a smooth input; the unsmoothed `value` is the one scored.
    public var smoothed: Double?
    public var traceID: String

    public init(
        tsMs: Int64, value: Double?, rawValue: Double?, flags: QualityFlags, revision: UInt32 = 1,
        smoothed: Double? = nil, traceID: String = ""
    ) {
        self.tsMs = tsMs
        self.value = value
        self.rawValue = rawValue
        self.flags = flags
        self.revision = revision
        self.smoothed = smoothed
        self.traceID = traceID
    }

    /// Whether two versions of a point say the same: value, raw value and flags. The
    /// `late` flag, the revision, the smoothed value (which depends on where a rebuild
    /// started) and the trace id are left out.
    public func sameContent(as other: CleanSample) -> Bool {
        tsMs == other.tsMs && Self.close(value, other.value) && Self.close(rawValue, other.rawValue)
            && flags.subtracting(.late) == other.flags.subtracting(.late)
    }

    private static func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return abs(x - y) <= 1e-9 * max(1, abs(x), abs(y))
        default: return false
        }
    }
}

extension Sequence where Element == CleanSample {
    /// The last version of each point by slot: the highest revision (the later one on a
    /// tie). A point is published again when it is corrected.
    public func latestBySlot() -> [Int64: CleanSample] {
        var latest: [Int64: CleanSample] = [:]
        for p in self where (latest[p.tsMs]?.revision ?? 0) <= p.revision { latest[p.tsMs] = p }
        return latest
    }

    /// The last version of each point, in time order.
    public func latestVersions() -> [CleanSample] {
        latestBySlot().values.sorted { $0.tsMs < $1.tsMs }
    }
}
