import Detection
import WaterlineProto

extension Event {
    /// Copies what detection knows into the event, keeping the lifecycle fields
    /// (status, who acknowledged or resolved it, history) that operators own.
    mutating func merge(_ d: DetectedEvent) {
        eventID = d.id
        type = EventType(detected: d.type)
        zone = d.zone
        sensorIds = d.sensorIDs
        startMs = d.startMs
        lastEvidenceMs = d.lastEvidenceMs
        endMs = d.endMs ?? 0
        severity = d.severity
        confidence = d.confidence
        modelVersion = d.modelVersion
        summary = d.summary
        evidence = d.evidence.map { e in
            var out = Evidence()
            out.sensorID = e.sensorID
            out.kind = "\(e.role)"
            out.firstMs = e.firstMs
            out.lastMs = e.lastMs
            out.peakScore = e.peakScore
            out.meanDeviation = e.meanDeviation
            out.forecastMean = e.meanForecast
            out.anomalousPoints = UInt32(e.anomalousPoints)
            return out
        }
    }
}

extension EventType {
    init(detected: DetectedEventType) {
        switch detected {
        case .leak: self = .leak
        case .burst: self = .burst
        case .sensorFault: self = .sensorFault
        case .dataGap: self = .dataGap
        case .demandAnomaly: self = .demandAnomaly
        case .tankAnomaly: self = .tankAnomaly
        }
    }
}

extension SensorRole {
    init(_ sensor: Sensor) {
        switch sensor.kind {
        case .pressure: self = .pressure
        case .flow: self = sensor.zoneInlet ? .inletFlow : .flow
        case .level: self = .level
        case .meter: self = .meter
        default: self = .other
        }
    }
}
