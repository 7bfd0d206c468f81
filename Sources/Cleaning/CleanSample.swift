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

    /// Flags that make a point unfit as model input.
    public static let unfitForModel: QualityFlags = [.gap, .outOfRange, .stuck]
}

/// A raw reading as the cleaner sees it.
public struct RawSample: Sendable, Equatable {
    public var tsMs: Int64
    public var value: Double
    public var traceID: String

    public init(tsMs: Int64, value: Double, traceID: String = "") {
        self.tsMs = tsMs
        self.value = value
        self.traceID = traceID
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
    public var traceID: String

    public init(tsMs: Int64, value: Double?, rawValue: Double?, flags: QualityFlags, traceID: String = "") {
        self.tsMs = tsMs
        self.value = value
        self.rawValue = rawValue
        self.flags = flags
        self.traceID = traceID
    }
}
