/// The plain-language pressure status of an area for the public page, from the newest
/// pressure readings (bar) of the sensors in it.
public enum AreaPressure: String, Sendable {
    case normal, low, outage, unknown

    public struct Thresholds: Sendable {
        /// Below this, taps run weakly (about 15 m of head).
        public var lowBar: Double = 1.5
        /// Below this, water hardly reaches a ground-floor tap.
        public var outageBar: Double = 0.3
        /// Readings older than this say nothing about now.
        public var maxAgeMs: Int64 = 3_600_000

        public init() {}
    }

    /// Judged on the median of the fresh readings, so one faulty sensor does not call
    /// an outage; no fresh reading: unknown.
    public static func judge(readings: [(bar: Double, tsMs: Int64)], nowMs: Int64, thresholds: Thresholds = Thresholds()) -> AreaPressure {
        let fresh = readings.filter { $0.bar.isFinite && nowMs - $0.tsMs <= thresholds.maxAgeMs }.map(\.bar).sorted()
        guard !fresh.isEmpty else { return .unknown }
        let n = fresh.count
        let median = n % 2 == 1 ? fresh[n / 2] : (fresh[n / 2 - 1] + fresh[n / 2]) / 2
        if median < thresholds.outageBar { return .outage }
        if median < thresholds.lowBar { return .low }
        return .normal
    }

    public var message: String {
        switch self {
        case .normal: "Water pressure in this area is normal."
        case .low: "Water pressure in this area is lower than usual; taps may run weakly."
        case .outage: "Water supply in this area appears to be interrupted. The utility has been alerted."
        case .unknown: "There is no recent pressure reading for this area."
        }
    }
}
