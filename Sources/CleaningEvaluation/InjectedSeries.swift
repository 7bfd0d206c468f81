import Cleaning

/// A series with faults injected: what the sensor delivered, and what was done to it.
public struct InjectedSeries: Sendable {
    public var cadenceMs: Int64
    /// The readings in arrival order; slot `i` has timestamp `i × cadenceMs`.
    public var readings: [RawSample]
    /// Per slot, the fault that touched it (nil: untouched).
    public var labels: [FaultKind?]
    /// The faults, in the order they were placed.
    public var faults: [InjectedFault]
    /// Per slot, the value the sensor sent (nil in a gap): the untouched value, or the
    /// spiked, frozen or unit-switched one.
    public var sent: [Double?]

    public init(cadenceMs: Int64, readings: [RawSample], labels: [FaultKind?], faults: [InjectedFault], sent: [Double?]) {
        precondition(labels.count == sent.count, "one label and one sent value per slot")
        self.cadenceMs = cadenceMs
        self.readings = readings
        self.labels = labels
        self.faults = faults
        self.sent = sent
    }

    public var slotCount: Int { labels.count }

    public func faults(of kind: FaultKind) -> [InjectedFault] {
        faults.filter { $0.kind == kind }
    }

    /// Slot index of a timestamp, nil when it is not in the series.
    public func slot(of tsMs: Int64) -> Int? {
        guard tsMs >= 0, tsMs % cadenceMs == 0 else { return nil }
        let i = Int(tsMs / cadenceMs)
        return i < slotCount ? i : nil
    }
}
