/// SplitMix64: a tiny seedable generator, so the same seed injects the same faults on
/// every run and platform (Swift's `SystemRandomNumberGenerator` cannot be seeded).
/// Statistically fine for choosing fault positions; not for cryptography.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in `[0, 1)` with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform integer in `range` (the standard library's unbiased draw).
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &self)
    }

    /// A uniform number in `range`.
    public mutating func double(in range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * nextUnit()
    }

    /// A generator for one series, independent of the others: mixing the series index
    /// into the seed means adding a series does not change the faults of the others.
    public static func forSeries(seed: UInt64, index: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: UInt64(truncatingIfNeeded: index) &* 0xD1B5_4A32_D192_ED03)
        return SplitMix64(seed: seed ^ mixer.next())
    }
}
