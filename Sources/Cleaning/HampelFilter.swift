/// The Hampel filter: a value is a spike when it lies further than `threshold` robust
/// standard deviations (1.4826 × the median absolute deviation) from the median of the
/// window around it. Streaming: each pushed value returns the decision for the value
/// `halfWidth` steps back, whose window is then complete on both sides.
///
/// Missing values (gaps) are allowed and simply not counted in a window. On a flat
/// window (MAD = 0) `minScale` keeps tiny deviations from counting as spikes.
///
/// The window is a ring buffer, and a sorted copy of its present values is kept up to
/// date (one removal and one insertion per value), so the median is read off and the
/// MAD found by merging the deviations on both sides of it: no sorting and no
/// allocation per value (this is the cleaner's hottest loop).
public struct HampelFilter: Sendable {
    public struct Decision: Sendable, Equatable {
        /// The value as it came in.
        public var value: Double?
        public var spike: Bool
        /// The window's median: what a spike is replaced by.
        public var median: Double?

        public init(value: Double?, spike: Bool, median: Double?) {
            self.value = value
            self.spike = spike
            self.median = median
        }
    }

    public let halfWidth: Int
    public let threshold: Double
    public let minScale: Double
    /// The newest values, at most a full window; NaN marks a missing value.
    private var ring: ContiguousArray<Double>
    /// The present (non-NaN) values of the ring, sorted.
    private var sorted: ContiguousArray<Double>
    private var start = 0
    private var count = 0
    /// How many of the newest values have no decision yet.
    private var undecided = 0

    public init(halfWidth: Int = 3, threshold: Double = 3, minScale: Double = 1e-9) {
        precondition(halfWidth >= 1, "the window needs neighbours")
        self.halfWidth = halfWidth
        self.threshold = threshold
        self.minScale = minScale
        ring = ContiguousArray(repeating: .nan, count: 2 * halfWidth + 1)
        sorted = []
        sorted.reserveCapacity(2 * halfWidth + 1)
    }

    /// Adds the next value; returns the decision for the value `halfWidth` steps back
    /// (nil for the first `halfWidth` pushes). Values at the start of a stream are judged
    /// on the part of their window that exists.
    public mutating func push(_ value: Double?) -> Decision? {
        let capacity = ring.count
        let incoming = value ?? .nan
        if count == capacity {
            let evicted = ring[start]
            if !evicted.isNaN { sorted.remove(at: Self.position(of: evicted, in: sorted)) }
            ring[start] = incoming
            start = (start + 1) % capacity
        } else {
            ring[(start + count) % capacity] = incoming
            count += 1
        }
        if !incoming.isNaN { sorted.insert(incoming, at: Self.position(of: incoming, in: sorted)) }
        undecided += 1
        guard undecided > halfWidth else { return nil }
        undecided -= 1
        return decide(at: count - 1 - halfWidth)
    }

    /// Decisions for the values still waiting at the end of a stream, judged on the part
    /// of their window that exists.
    public mutating func drain() -> [Decision] {
        let decisions = ((count - undecided)..<count).map { decide(at: $0) }
        start = 0
        count = 0
        undecided = 0
        sorted.removeAll(keepingCapacity: true)
        return decisions
    }

    private func value(at index: Int) -> Double {
        ring[(start + index) % ring.count]
    }

    /// The decision for the value at `index` (0 = oldest held).
    private func decide(at index: Int) -> Decision {
        let center = value(at: index)
        let lower = max(0, index - halfWidth)
        let upper = min(count - 1, index + halfWidth)
        if lower == 0 && upper == count - 1 { return decideOnWholeWindow(center) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: ring.count) { buffer in
            var n = 0
            for i in lower...upper {
                let v = value(at: i)
                if !v.isNaN {
                    buffer[n] = v
                    n += 1
                }
            }
            let window = UnsafeMutableBufferPointer(rebasing: buffer[0..<n])
            guard n > 0 else { return Decision(value: nil, spike: false, median: nil) }
            let m = Self.median(sorting: window)
            guard !center.isNaN, n >= 3 else {
                return Decision(value: center.isNaN ? nil : center, spike: false, median: m)
            }
            for i in 0..<n { window[i] = abs(window[i] - m) }
            let mad = Self.median(sorting: window)
            let scale = max(1.4826 * mad, minScale)
            return Decision(value: center, spike: abs(center - m) > threshold * scale, median: m)
        }
    }

    /// The decision when the window is everything held: from the sorted copy.
    private func decideOnWholeWindow(_ center: Double) -> Decision {
        let n = sorted.count
        guard n > 0 else { return Decision(value: nil, spike: false, median: nil) }
        let m = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        guard !center.isNaN, n >= 3 else { return Decision(value: center.isNaN ? nil : center, spike: false, median: m) }
        // Deviations from the median in increasing order: merge the values below it
        // (walking down) with those at or above it (walking up).
        var below = Self.position(of: m, in: sorted) - 1
        var above = below + 1
        var previous = 0.0
        var mad = 0.0
        for k in 0...(n / 2) {
            let d: Double
            if below >= 0 && (above >= n || m - sorted[below] <= sorted[above] - m) {
                d = m - sorted[below]
                below -= 1
            } else {
                d = sorted[above] - m
                above += 1
            }
            if k == n / 2 { mad = n % 2 == 1 ? d : (previous + d) / 2 }
            previous = d
        }
        let scale = max(1.4826 * mad, minScale)
        return Decision(value: center, spike: abs(center - m) > threshold * scale, median: m)
    }

    /// The first index in `values` (sorted) whose element is not below `v`.
    private static func position(of v: Double, in values: ContiguousArray<Double>) -> Int {
        var low = 0
        var high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < v { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Sorts a short buffer in place (insertion sort) and returns its median.
    private static func median(sorting values: UnsafeMutableBufferPointer<Double>) -> Double {
        let n = values.count
        for i in 1..<max(n, 1) {
            let v = values[i]
            var j = i - 1
            while j >= 0 && values[j] > v {
                values[j + 1] = values[j]
                j -= 1
            }
            values[j + 1] = v
        }
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2
    }
}
