import Detection
import WaterlineProto

extension Event {
    /// Copies what detection knows into the event, keeping the lifecycle fields
    /// (status, who acknowledged or resolved it, history) that operators own. Leaks and
    /// bursts get their loss (priced at `tariffPerM3`) and `location` — junctions and pipes
    /// on the network model — or, without one, the sensors that moved most, said so.
    mutating func merge(
        _ d: DetectedEvent, tariffPerM3: Double = 0, places: [String: SensorPlace] = [:],
        location: (candidates: [LocationCandidate], note: String)? = nil
    ) {
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
        traceID = d.traceID ?? ""
        raisedMs = d.raisedMs ?? 0
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
        if let l = d.loss?.clamped {
            var loss = EventLoss()
            loss.volumeM3 = l.volumeM3
            loss.lowM3 = l.lowM3
            loss.highM3 = l.highM3
            loss.currentFlowM3H = l.currentFlowM3h
            loss.tariffPerM3 = tariffPerM3
            loss.revenue = l.volumeM3 * tariffPerM3
            self.loss = loss
        }
        guard d.type == .leak || d.type == .burst else { return }
        if let location {
            (candidates, locationNote) = location
            return
        }
        let moved = d.evidence.filter { $0.role != .meter }.sorted { abs($0.peakScore) > abs($1.peakScore) }.prefix(5)
        let top = moved.first.map { abs($0.peakScore) } ?? 0
        candidates = moved.map { e in
            var c = LocationCandidate()
            c.sensorID = e.sensorID
            c.score = top > 0 ? abs(e.peakScore) / top : 0
            if let place = places[e.sensorID] {
                c.lat = place.lat
                c.lon = place.lon
            }
            return c
        }
        locationNote = "no network model for zone \(d.zone): these are the sensors that moved most, not pipes"
    }
}

extension Event {
    /// The best pipe among the location candidates, if any is a pipe.
    var topPipe: String? { candidates.first { !$0.linkID.isEmpty }?.linkID }
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

