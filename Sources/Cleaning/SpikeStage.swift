/// The spike step after resampling: each clean point is judged by a Hampel filter on
/// the points around it; a spike keeps its raw value and gets the window's median as
/// its value, flagged `spike`. Points are passed on `halfWidth` slots late (their window
/// must be complete); ``drain()`` passes on the rest when a sensor goes quiet.
///
/// Not wired into preprocess yet: holding every point `halfWidth` slots would delay
/// scoring, so the plan is to publish points at once and a spike as a later revision.
/// On the clean simulated demo data a window of ±7 and a threshold of 6 flagged 88 of
/// 221,760 points (±3 and 3.5: 5,856), so the defaults here are conservative.
/// Imputed, gap, stuck and out-of-range points are passed through unjudged and are not
/// counted in a window.
public struct SpikeStage: Sendable {
    private var filter: HampelFilter
    private var held: [CleanSample] = []

    public static let defaultHalfWidth = 7
    public static let defaultThreshold = 6.0

    public init(halfWidth: Int = defaultHalfWidth, threshold: Double = defaultThreshold, minScale: Double = 1e-6) {
        filter = HampelFilter(halfWidth: halfWidth, threshold: threshold, minScale: minScale)
    }

    public var hasPending: Bool { !held.isEmpty }

    /// Adds the next point of the series; returns the points whose judgement is final.
    public mutating func push(_ sample: CleanSample) -> [CleanSample] {
        held.append(sample)
        let judged = Self.judgeable(sample) ? sample.value : nil
        guard let decision = filter.push(judged) else { return [] }
        return [release(decision)]
    }

    /// Passes on every held point, judged on the part of its window that exists.
    public mutating func drain() -> [CleanSample] {
        let decisions = filter.drain()
        return decisions.map { release($0) }
    }

    private mutating func release(_ decision: HampelFilter.Decision) -> CleanSample {
        var sample = held.removeFirst()
        if decision.spike, let median = decision.median, Self.judgeable(sample) {
            sample.value = median
            sample.flags.insert(.spike)
        }
        return sample
    }

    private static func judgeable(_ s: CleanSample) -> Bool {
        s.value != nil && s.flags.isDisjoint(with: [.imputed, .gap, .stuck, .outOfRange])
    }
}
