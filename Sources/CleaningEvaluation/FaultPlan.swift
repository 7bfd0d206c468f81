/// How many faults of each kind go into a series, and how big they are.
///
/// Counts scale with the series' length (per 1000 slots, at least one of each kind when
/// there is room); sizes are drawn uniformly from the ranges. Faults keep `margin` slots
/// away from each other and from the ends, so each one is judged on its own: the spike
/// window, the stuck run counter and a gap's interpolation never see two faults.
public struct FaultPlan: Sendable, Equatable {
    public var spikesPer1000 = 6.0
    public var duplicatesPer1000 = 4.0
    public var shortGapsPer1000 = 3.0
    public var outOfOrderPer1000 = 1.0
    public var longGapsPer1000 = 0.5
    public var stuckRunsPer1000 = 0.5
    public var unitSwitchesPer1000 = 0.5

    /// Spike size in robust noise scales (the sign is random).
    public var spikeScales: ClosedRange<Double> = 8...15
    /// A spike is at least this many quantisation steps, so it is more than a
    /// resolution step on a coarse sensor.
    public var spikeMinSteps = 10.0
    public var stuckLength: ClosedRange<Int> = 60...240
    public var shortGapLength: ClosedRange<Int> = 1...5
    public var longGapLength: ClosedRange<Int> = 20...100
    public var burstLength: ClosedRange<Int> = 5...20
    public var unitSwitchLength: ClosedRange<Int> = 10...60
    /// Free slots kept between two faults and at both ends of the series.
    public var margin = 20
    /// Random starts tried for a fault before it is left out (a series full of faults).
    public var placementAttempts = 200

    public init() {}

    /// Faults of `kind` for a series of `count` slots.
    public func count(of kind: FaultKind, slots count: Int) -> Int {
        let density: Double =
            switch kind {
            case .spike: spikesPer1000
            case .duplicate: duplicatesPer1000
            case .shortGap: shortGapsPer1000
            case .outOfOrder: outOfOrderPer1000
            case .longGap: longGapsPer1000
            case .stuck: stuckRunsPer1000
            case .unitSwitch: unitSwitchesPer1000
            }
        guard density > 0 else { return 0 }
        return max(1, Int((Double(count) * density / 1000).rounded()))
    }

    /// Slots one fault of `kind` covers.
    public func lengths(of kind: FaultKind) -> ClosedRange<Int> {
        switch kind {
        case .spike, .duplicate: 1...1
        case .stuck: stuckLength
        case .shortGap: shortGapLength
        case .longGap: longGapLength
        case .outOfOrder: burstLength
        case .unitSwitch: unitSwitchLength
        }
    }

    /// The order faults are placed in: the longest first, so they still find room.
    public static let placementOrder: [FaultKind] = [
        .stuck, .longGap, .unitSwitch, .outOfOrder, .shortGap, .spike, .duplicate,
    ]
}
