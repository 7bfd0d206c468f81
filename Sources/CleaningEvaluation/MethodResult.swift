/// How one cleaning method did on one series (or, summed, on all of them).
public struct MethodResult: Codable, Sendable, Equatable {
    /// Spike slots against the `spike` flag.
    public var spike = FlagScore()
    /// Stuck-run slots against the `stuck` flag.
    public var stuck = FlagScore()
    /// Long-gap slots against the `gap` flag.
    public var longGap = FlagScore()
    /// Short-gap slots against the `imputed` flag.
    public var shortGap = FlagScore()
    /// What happened to readings sent in another unit: the cleaner has no unit check
    /// per reading, so these are counted by the flags they got.
    public var unitSwitch = UnitSwitchOutcome()
    public var duplicates = DuplicateOutcome()
    public var outOfOrder = BurstOutcome()
    /// Cleaned value against the untouched one, over every slot with a value in both.
    public var error = ErrorSum()
    /// The same over the points a model would use (no gap, out-of-range or stuck flag).
    public var usableError = ErrorSum()
    /// Imputed values against the untouched ones, over the short-gap slots filled.
    public var imputation = ErrorSum()
    /// Linear interpolation between the readings around each short gap, over the same
    /// slots: the reference imputation should match or beat.
    public var linearImputation = ErrorSum()
    /// Values produced inside long gaps: invented data, must be 0.
    public var valuesInLongGaps = 0

    public init() {}

    public static func + (a: MethodResult, b: MethodResult) -> MethodResult {
        var r = MethodResult()
        r.spike = a.spike + b.spike
        r.stuck = a.stuck + b.stuck
        r.longGap = a.longGap + b.longGap
        r.shortGap = a.shortGap + b.shortGap
        r.unitSwitch = a.unitSwitch + b.unitSwitch
        r.duplicates = a.duplicates + b.duplicates
        r.outOfOrder = a.outOfOrder + b.outOfOrder
        r.error = a.error + b.error
        r.usableError = a.usableError + b.usableError
        r.imputation = a.imputation + b.imputation
        r.linearImputation = a.linearImputation + b.linearImputation
        r.valuesInLongGaps = a.valuesInLongGaps + b.valuesInLongGaps
        return r
    }
}

/// Readings sent in another unit, by the flag they ended up with.
public struct UnitSwitchOutcome: Codable, Sendable, Equatable {
    public var slots = 0
    public var outOfRange = 0
    /// Flagged spike (and not out of range).
    public var spike = 0
    /// No fault flag at all: passed on as if valid.
    public var unflagged = 0
    /// Cleaned value against the untouched one on these slots.
    public var error = ErrorSum()

    public init() {}

    public static func + (a: UnitSwitchOutcome, b: UnitSwitchOutcome) -> UnitSwitchOutcome {
        var r = UnitSwitchOutcome()
        r.slots = a.slots + b.slots
        r.outOfRange = a.outOfRange + b.outOfRange
        r.spike = a.spike + b.spike
        r.unflagged = a.unflagged + b.unflagged
        r.error = a.error + b.error
        return r
    }
}

/// Readings sent twice, against the ones dropped as duplicates.
public struct DuplicateOutcome: Codable, Sendable, Equatable {
    public var injected = 0
    public var dropped = 0

    public init(injected: Int = 0, dropped: Int = 0) {
        self.injected = injected
        self.dropped = dropped
    }

    public static func + (a: DuplicateOutcome, b: DuplicateOutcome) -> DuplicateOutcome {
        DuplicateOutcome(injected: a.injected + b.injected, dropped: a.dropped + b.dropped)
    }
}

/// Out-of-order bursts, against the ones that came out with every reading in its slot.
public struct BurstOutcome: Codable, Sendable, Equatable {
    public var bursts = 0
    public var intact = 0
    /// Readings the method received too late to use (all of the series, not only bursts).
    public var lateReadings = 0

    public init(bursts: Int = 0, intact: Int = 0, lateReadings: Int = 0) {
        self.bursts = bursts
        self.intact = intact
        self.lateReadings = lateReadings
    }

    public static func + (a: BurstOutcome, b: BurstOutcome) -> BurstOutcome {
        BurstOutcome(bursts: a.bursts + b.bursts, intact: a.intact + b.intact, lateReadings: a.lateReadings + b.lateReadings)
    }
}
