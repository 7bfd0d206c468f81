/// The Hampel filter: a value is a spike when it lies further than `threshold` robust
/// standard deviations (1.4826 × the median absolute deviation) from the median of the
/// window around it. Streaming: each pushed value returns the decision for the value
/// `halfWidth` steps back, whose window is then complete on both sides.
///
/// Missing values (gaps) are allowed and simply not counted in a window. On a flat
/// window (MAD = 0) `minScale` keeps tiny deviations from counting as spikes.
public struct HampelFilter: Sendable {
    public struct Decision: Sendable, Equatable {
        /// The value as it came in.
        public var value: Double?
        public var spike: Bool
        /// The window's median: what a spike is replaced by.
        public var median: Double?
    }

    public let halfWidth: Int
    public let threshold: Double
    public let minScale: Double
    /// The newest values, at most a full window.
    private var buffer: [Double?] = []
    /// How many of the newest values have no decision yet.
    private var undecided = 0

    public init(halfWidth: Int = 3, threshold: Double = 3, minScale: Double = 1e-9) {
        precondition(halfWidth >= 1, "the window needs neighbours")
        self.halfWidth = halfWidth
        self.threshold = threshold
        self.minScale = minScale
    }

    /// Adds the next value; returns the decision for the value `halfWidth` steps back
    /// (nil for the first `halfWidth` pushes). Values at the start of a stream are judged
    /// on the part of their window that exists.
    public mutating func push(_ value: Double?) -> Decision? {
        buffer.append(value)
        if buffer.count > 2 * halfWidth + 1 { buffer.removeFirst() }
        undecided += 1
        guard undecided > halfWidth else { return nil }
        undecided -= 1
        return decide(at: buffer.count - 1 - halfWidth)
    }

    /// Decisions for the values still waiting at the end of a stream, judged on the part
    /// of their window that exists.
    public mutating func drain() -> [Decision] {
        let decisions = ((buffer.count - undecided)..<buffer.count).map { decide(at: $0) }
        buffer.removeAll()
        undecided = 0
        return decisions
    }

    private func decide(at index: Int) -> Decision {
        let center = buffer[index]
        let window = buffer[max(0, index - halfWidth)...min(buffer.count - 1, index + halfWidth)]
        let present = window.compactMap { $0 }
        guard let value = center, present.count >= 3 else {
            return Decision(value: center, spike: false, median: present.isEmpty ? nil : median(present))
        }
        let m = median(present)
        let mad = median(present.map { abs($0 - m) })
        let scale = max(1.4826 * mad, minScale)
        return Decision(value: value, spike: abs(value - m) > threshold * scale, median: m)
    }
}
