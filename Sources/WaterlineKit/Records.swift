import Mongo
import SwiftProtobuf
import WaterlineProto

// How each wire message is stored in MongoDB (snake_case fields, like the protos).

extension Sensor {
    public var document: Document {
        [
            "_id": .string(sensorID), "sensor_id": .string(sensorID), "kind": .string(kind.label),
            "unit": .string(unit), "zone": .string(zone), "node_id": .string(nodeID),
            "lat": .double(lat), "lon": .double(lon), "min": .double(minValue), "max": .double(maxValue),
            "cadence_ms": .int64(cadenceMs), "zone_inlet": .bool(zoneInlet),
            "balance_role": .string(balanceRole.label), "storage_area_m2": .double(storageAreaM2),
            "outlet_of_zone": .string(outletOfZone),
        ]
    }

    public init(document d: Document) {
        self.init()
        sensorID = d["sensor_id"]?.stringValue ?? ""
        kind = SensorKind(label: d["kind"]?.stringValue ?? "") ?? .unspecified
        unit = d["unit"]?.stringValue ?? ""
        zone = d["zone"]?.stringValue ?? ""
        nodeID = d["node_id"]?.stringValue ?? ""
        lat = d["lat"]?.doubleValue ?? 0
        lon = d["lon"]?.doubleValue ?? 0
        minValue = d["min"]?.doubleValue ?? -.infinity
        maxValue = d["max"]?.doubleValue ?? .infinity
        cadenceMs = d["cadence_ms"]?.int64Value ?? 60_000
        zoneInlet = d["zone_inlet"]?.boolValue ?? false
        balanceRole = BalanceRole(label: d["balance_role"]?.stringValue ?? "") ?? .unspecified
        // Entries stored before balance roles say only zone_inlet.
        if zoneInlet && balanceRole == .unspecified { balanceRole = .inlet }
        storageAreaM2 = d["storage_area_m2"]?.doubleValue ?? 0
        outletOfZone = d["outlet_of_zone"]?.stringValue ?? ""
    }
}

extension BalanceRole {
    /// The lower-case name used in CSV files, JSON and MongoDB ("" for none).
    public var label: String {
        switch self {
        case .inlet: "inlet"
        case .outlet: "outlet"
        case .storage: "storage"
        default: ""
        }
    }

    public init?(label: String) {
        switch label.lowercased() {
        case "inlet": self = .inlet
        case "outlet": self = .outlet
        case "storage": self = .storage
        case "", "none": self = .unspecified
        default: return nil
        }
    }
}

extension SensorKind {
    /// The lower-case name used in CSV files, JSON and MongoDB.
    public var label: String {
        switch self {
        case .pressure: "pressure"
        case .flow: "flow"
        case .level: "level"
        case .meter: "meter"
        default: "unspecified"
        }
    }

    public init?(label: String) {
        switch label.lowercased() {
        case "pressure": self = .pressure
        case "flow": self = .flow
        case "level": self = .level
        case "meter": self = .meter
        default: return nil
        }
    }
}

extension RawReading {
    public var document: Document {
        [
            "_id": .string(seriesKey(sensorID, tsMs)), "sensor_id": .string(sensorID), "ts_ms": .int64(tsMs),
            "value": .double(value), "received_ms": .int64(receivedMs), "trace_id": .string(traceID),
            "conflict": .bool(conflict), "unit": .string(unit),
        ]
    }

    public init(document d: Document) {
        self.init()
        sensorID = d["sensor_id"]?.stringValue ?? ""
        tsMs = d["ts_ms"]?.int64Value ?? 0
        value = d["value"]?.doubleValue ?? .nan
        receivedMs = d["received_ms"]?.int64Value ?? 0
        traceID = d["trace_id"]?.stringValue ?? ""
        conflict = d["conflict"]?.boolValue ?? false
        unit = d["unit"]?.stringValue ?? ""
    }
}

extension CleanPoint {
    public var document: Document {
        var d: Document = [
            "_id": .string(seriesKey(sensorID, tsMs)), "sensor_id": .string(sensorID), "ts_ms": .int64(tsMs),
            "flags": .int64(Int64(flags)), "revision": .int64(Int64(revision)), "trace_id": .string(traceID),
        ]
        d["value"] = hasValue ? .double(value) : .null
        d["raw_value"] = hasRawValue ? .double(rawValue) : .null
        d["smoothed"] = hasSmoothed ? .double(smoothed) : .null
        d["seen_through_ms"] = .int64(seenThroughMs)
        return d
    }

    public init(document d: Document) {
        self.init()
        sensorID = d["sensor_id"]?.stringValue ?? ""
        tsMs = d["ts_ms"]?.int64Value ?? 0
        if let v = d["value"]?.doubleValue { value = v }
        if let r = d["raw_value"]?.doubleValue { rawValue = r }
        if let m = d["smoothed"]?.doubleValue { smoothed = m }
        seenThroughMs = d["seen_through_ms"]?.int64Value ?? 0
        flags = UInt32(d["flags"]?.int64Value ?? 0)
        revision = UInt32(d["revision"]?.int64Value ?? 0)
        traceID = d["trace_id"]?.stringValue ?? ""
    }

}

extension Score {
    public var document: Document {
        [
            "_id": .string(seriesKey(sensorID, tsMs)), "sensor_id": .string(sensorID), "ts_ms": .int64(tsMs),
            "value": .double(value), "forecast_mean": .double(forecastMean), "lower": .double(lower),
            "upper": .double(upper), "anomaly_score": .double(anomalyScore), "anomalous": .bool(anomalous),
            "model_version": .string(modelVersion), "zone": .string(zone), "flags": .int64(Int64(flags)),
            "trace_id": .string(traceID), "warmed_up": .bool(warmedUp), "revision": .int64(Int64(revision)),
        ]
    }

    /// The score as it stands: its latest correction if it was scored again.
    public init(document d: Document) {
        if case .document(let corrected) = d["corrected"] {
            self.init(firstRevisionOf: corrected)
            sensorID = d["sensor_id"]?.stringValue ?? sensorID
            tsMs = d["ts_ms"]?.int64Value ?? tsMs
        } else {
            self.init(firstRevisionOf: d)
        }
    }

    /// The score as the live stream first carried it (revision 1): what insight judged,
    /// so a replay judges the same. A corrected score keeps its correction in `corrected`
    /// (``SeriesRule/scores``).
    public init(firstRevisionOf d: Document) {
        self.init()
        sensorID = d["sensor_id"]?.stringValue ?? ""
        tsMs = d["ts_ms"]?.int64Value ?? 0
        value = d["value"]?.doubleValue ?? 0
        forecastMean = d["forecast_mean"]?.doubleValue ?? 0
        lower = d["lower"]?.doubleValue ?? 0
        upper = d["upper"]?.doubleValue ?? 0
        anomalyScore = d["anomaly_score"]?.doubleValue ?? 0
        anomalous = d["anomalous"]?.boolValue ?? false
        modelVersion = d["model_version"]?.stringValue ?? ""
        zone = d["zone"]?.stringValue ?? ""
        flags = UInt32(d["flags"]?.int64Value ?? 0)
        traceID = d["trace_id"]?.stringValue ?? ""
        warmedUp = d["warmed_up"]?.boolValue ?? false
        revision = UInt32(d["revision"]?.int64Value ?? 1)
    }
}

extension Event {
    /// Stored as the message's JSON form (snake_case field names), keyed by event id,
    /// with the queried times as numbers (proto JSON writes int64 as strings).
    public func document() throws -> Document {
        var d = try storedDocument(id: eventID)
        d["start_ms"] = .int64(startMs)
        d["updated_ms"] = .int64(updatedMs)
        d["last_evidence_ms"] = .int64(lastEvidenceMs)
        d["zone"] = .string(zone)
        d["type"] = .string(type.label)
        d["status"] = .string(status.label)
        return d
    }

    public init(document d: Document) throws {
        var copy = d
        copy["type"] = .string(EventType(label: d["type"]?.stringValue ?? "")?.wireName ?? "EVENT_TYPE_UNSPECIFIED")
        copy["status"] = .string(EventStatus(label: d["status"]?.stringValue ?? "")?.wireName ?? "EVENT_STATUS_UNSPECIFIED")
        try self.init(storedDocument: copy)
    }
}

extension EventType {
    /// Lower-case label used in topics, REST and MongoDB: `leak`, `burst`, `sensor_fault`, ...
    public var label: String {
        switch self {
        case .leak: "leak"
        case .burst: "burst"
        case .sensorFault: "sensor_fault"
        case .dataGap: "data_gap"
        case .demandAnomaly: "demand_anomaly"
        case .tankAnomaly: "tank_anomaly"
        default: "unspecified"
        }
    }

    public init?(label: String) {
        guard let match = EventType.allCases.first(where: { $0.label == label }) else { return nil }
        self = match
    }

    var wireName: String { "EVENT_TYPE_" + label.uppercased() }
}

extension EventStatus {
    /// `open`, `acknowledged`, `resolved`, `false_positive`.
    public var label: String {
        switch self {
        case .open: "open"
        case .acknowledged: "acknowledged"
        case .resolved: "resolved"
        case .falsePositive: "false_positive"
        default: "unspecified"
        }
    }

    public init?(label: String) {
        guard let match = EventStatus.allCases.first(where: { $0.label == label }) else { return nil }
        self = match
    }

    var wireName: String { "EVENT_STATUS_" + label.uppercased() }
}

extension RejectionReason {
    public var label: String {
        switch self {
        case .unknownSensor: "unknown_sensor"
        case .notFinite: "not_finite"
        case .futureTimestamp: "future_timestamp"
        case .invalidTimestamp: "invalid_timestamp"
        case .missingSensorID: "missing_sensor_id"
        case .unknownUnit: "unknown_unit"
        default: "unspecified"
        }
    }
}

extension EventUpdate {
    /// A heartbeat of the insight stream: no event, only the publisher's latest sequence.
    public var isHeartbeat: Bool { !hasEvent && change == .unspecified }

    /// The heartbeat of `topic` for a publisher whose latest sequence there is `latest`.
    public static func heartbeat(publisher: String, latest: UInt64) -> EventUpdate {
        var update = EventUpdate()
        update.publisherID = publisher
        update.sequence = latest
        return update
    }
}
