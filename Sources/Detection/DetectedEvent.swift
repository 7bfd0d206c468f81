/// The kinds of event the detector raises.
public enum DetectedEventType: String, Sendable, CaseIterable, Codable {
    case leak, burst, sensorFault = "sensor_fault", dataGap = "data_gap"
    case demandAnomaly = "demand_anomaly", tankAnomaly = "tank_anomaly"
}

/// How one sensor moved during an event.
public struct SensorEvidence: Sendable, Equatable, Codable {
    public var sensorID: String
    public var role: SensorRole
    public var firstMs: Int64
    public var lastMs: Int64
    public var peakScore: Double
    /// Sum of (value − forecast) over the anomalous points; see ``meanDeviation``.
    var deviationSum: Double
    var forecastSum: Double
    public var anomalousPoints: Int

    public var meanDeviation: Double { anomalousPoints > 0 ? deviationSum / Double(anomalousPoints) : 0 }
    public var meanForecast: Double { anomalousPoints > 0 ? forecastSum / Double(anomalousPoints) : 0 }
}

/// An event as the detector sees it: what, where, since when, how bad, and why.
public struct DetectedEvent: Sendable, Equatable, Codable {
    /// Stable: zone, type and start, so a restarted detector updates the same event.
    public var id: String
    public var type: DetectedEventType
    public var zone: String
    public var startMs: Int64
    public var lastEvidenceMs: Int64
    /// Set once the evidence has been gone for the quiet period.
    public var endMs: Int64?
    /// 0...1.
    public var severity: Double
    public var confidence: Double
    public var evidence: [SensorEvidence]
    public var modelVersion: String
    /// Leaks and bursts: the water lost so far.
    public var loss: LossEstimate?
    /// Leaks and bursts: each of the zone's pressure sensors' mean (value − forecast), in
    /// its clean unit (bar), over `localisationWindowMs` from the event's start: the
    /// signature a network model locates the leak from. Early points only, as a forecast
    /// learns the lowered pressure as time goes on.
    public var pressureResiduals: [String: Double] = [:]
    /// When `pressureResiduals` are against the zone's demand regression
    /// (`PressureRegression`) rather than the forecast: the first alarmed step they average
    /// from, over `regressionWindowMs`. Once set, the forecast's no longer replace them.
    public var residualsAgainstDemandFromMs: Int64?
    /// A burst found as a rise of its zone's balance during another leak's alarm: the
    /// rise's flow (the inflow's unit), which its loss counts at every step.
    public var balanceRise: Double?
    /// The data time of the point that raised the event (its start can lie before).
    public var raisedMs: Int64?
    /// The trace id of the reading whose point raised it.
    public var traceID: String?

    public var sensorIDs: [String] { evidence.map(\.sensorID) }

    /// One line for people: "burst in north: inlet flow +42% over forecast, 3 pressure sensors down".
    public var summary: String {
        var parts: [String] = []
        for e in evidence.sorted(by: { abs($0.peakScore) > abs($1.peakScore) }).prefix(3) {
            parts.append("\(e.sensorID) \(Self.deviationText(e)) vs forecast")
        }
        let label = type.rawValue.split(separator: "_").joined(separator: " ")
        return "\(label) in \(zone)" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
    }
}

extension DetectedEvent {
    /// A sensor's mean deviation from its forecast in percent, as a summary shows it:
    /// "+42%" (clamped at ±99,999 %, so no reading can make it unprintable).
    static func deviationText(_ e: SensorEvidence) -> String {
        let relative = e.meanForecast != 0 ? 100 * e.meanDeviation / abs(e.meanForecast) : 0
        let percent = relative.isFinite ? Int(max(-99_999, min(99_999, relative)).rounded()) : 0
        return "\(percent >= 0 ? "+" : "")\(percent)%"
    }
}

/// A change the detector reports for the caller to store and publish.
public enum DetectionChange: Sendable, Equatable {
    case opened(DetectedEvent)
    case updated(DetectedEvent)
    case ended(DetectedEvent)

    public var event: DetectedEvent {
        switch self {
        case .opened(let e), .updated(let e), .ended(let e): e
        }
    }
}
