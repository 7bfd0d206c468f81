import WaterlineProto

/// Checks submitted readings against the sensor registry and plain sense. Pure logic:
/// the service supplies the registry lookup and the clock.
public struct ReadingValidator: Sendable {
    /// Readings more than this far ahead of the server's clock are rejected.
    public var maxFutureMs: Int64

    public init(maxFutureMs: Int64 = 86_400_000) {
        self.maxFutureMs = maxFutureMs
    }

    /// Why `reading` cannot be stored, or nil when it can.
    public func rejection(
        of reading: Reading, nowMs: Int64, sensor: (String) -> Sensor?
    ) -> (reason: RejectionReason, detail: String)? {
        if reading.sensorID.isEmpty {
            return (.missingSensorID, "sensor_id is empty")
        }
        if reading.sensorID.contains("|") || reading.sensorID.utf8.count > 128 {
            return (.unknownSensor, "sensor_id '\(reading.sensorID.prefix(40))' is not a valid id")
        }
        guard let registered = sensor(reading.sensorID) else {
            return (.unknownSensor, "sensor '\(reading.sensorID)' is not registered")
        }
        if !reading.unit.isEmpty && registered.toCanonical(from: reading.unit) == nil {
            return (.unknownUnit, "unit '\(reading.unit.prefix(20))' is not a unit of a \(registered.kind.label) sensor")
        }
        if !reading.value.isFinite {
            return (.notFinite, "value \(reading.value) is not a finite number")
        }
        if reading.tsMs <= 0 {
            return (.invalidTimestamp, "ts_ms \(reading.tsMs) is not a positive epoch time in milliseconds")
        }
        if reading.tsMs > nowMs + maxFutureMs {
            return (.futureTimestamp, "ts_ms \(reading.tsMs) is \((reading.tsMs - nowMs) / 1000) s in the future (limit \(maxFutureMs / 1000) s)")
        }
        return nil
    }
}
