import Foundation
import Simulation
import WaterlineKit
import WaterlineProto

/// An event as the summary shows it, whether insight or the offline pipeline found it.
public struct FoundEvent: Sendable {
    public var id: String
    public var type: String
    public var zone: String
    public var sensorIDs: [String]
    public var startMs: Int64
    public var severity: Double
    public var summary: String
    /// Leaks and bursts: water lost (m³) with its interval, and revenue.
    public var loss: (volume: Double, low: Double, high: Double, revenue: Double)?
    /// The most likely place (a node, or a sensor when the zone has no network model).
    public var topCandidate: String?

    public init(id: String, type: String, zone: String, sensorIDs: [String], startMs: Int64, severity: Double, summary: String) {
        self.id = id
        self.type = type
        self.zone = zone
        self.sensorIDs = sensorIDs
        self.startMs = startMs
        self.severity = severity
        self.summary = summary
    }

    public init(_ e: Event) {
        self.init(id: e.eventID, type: e.type.label, zone: e.zone, sensorIDs: e.sensorIds, startMs: e.startMs,
                  severity: e.severity, summary: e.summary)
        if e.hasLoss { loss = (e.loss.volumeM3, e.loss.lowM3, e.loss.highM3, e.loss.revenue) }
        topCandidate = e.candidates.first.map { c in c.nodeID.isEmpty ? "sensor \(c.sensorID)" : "node \(c.nodeID)" }
    }
}

/// Matches detected events to a scenario's injected ground truth.
public enum DemoSummary {
    /// The earliest event that found `label`: same type; same zone (or, for sensor
    /// health, the same sensor); starting between an hour before the label and its end.
    public static func match(_ label: ScenarioLabel, in events: [FoundEvent]) -> FoundEvent? {
        events.filter { e in
            let placeOK: Bool
            if let sensor = label.sensorId, label.type == "sensor_fault" || label.type == "data_gap" {
                placeOK = e.sensorIDs.contains(sensor)
            } else {
                placeOK = label.zone == nil || e.zone == label.zone
            }
            return e.type == label.type && placeOK && e.startMs >= label.startMs - 3_600_000 && e.startMs <= label.endMs
        }.min { $0.startMs < $1.startMs }
    }

    /// Events that match no label: false alarms, as far as the scenario knows.
    public static func unmatched(_ events: [FoundEvent], labels: [ScenarioLabel]) -> [FoundEvent] {
        let matched = Set(labels.compactMap { match($0, in: events)?.id })
        return events.filter { !matched.contains($0.id) }
    }

    /// - Parameter liveFromMs: where the live week begins when history was imported
    ///   before it: events before it are listed apart (no event is injected there).
    public static func render(events: [FoundEvent], labels: [ScenarioLabel], readingsStored: Int, pointsScored: Int, liveFromMs: Int64? = nil) -> String {
        var lines = ["", "Summary", "  readings stored: \(readingsStored)   points scored: \(pointsScored)   events: \(events.count)", ""]
        let history = liveFromMs.map { from in events.filter { $0.startMs < from } } ?? []
        let live = liveFromMs.map { from in events.filter { $0.startMs >= from } } ?? events
        lines.append("  Injected truth                                        Found")
        var found = 0
        for label in labels {
            let place = label.sensorId.map { "\(label.zone ?? "-")/\($0)" } ?? (label.zone ?? "-")
            let truth = "\(label.type) in \(place) at \(isoTime(label.startMs))"
            if let event = match(label, in: live) {
                found += 1
                let delay = (event.startMs - label.startMs) / 60_000
                lines.append("  \(truth.padding(toLength: 52, withPad: " ", startingAt: 0))  yes: \(event.type) from \(isoTime(event.startMs)) (\(delay >= 0 ? "+" : "")\(delay) min)")
                if let loss = event.loss {
                    // The label gives the leak's final flow, not its ramp: an upper bound.
                    let injected = label.leakFlowM3h.map {
                        String(format: "; injected at most %.0f m³ (its final flow over its window)", $0 * Double(label.endMs - label.startMs) / 3_600_000)
                    } ?? ""
                    lines.append(String(
                        format: "      lost ≈ %.0f m³ (%.0f–%.0f), revenue %.0f%@; most likely near %@", loss.volume, loss.low,
                        loss.high, loss.revenue, injected as NSString, (event.topCandidate ?? "-") as NSString))
                }
            } else {
                lines.append("  \(truth.padding(toLength: 52, withPad: " ", startingAt: 0))  NOT FOUND")
            }
        }
        lines.append("")
        lines.append(liveFromMs == nil ? "  Detected events" : "  Detected events in the live week")
        for e in live.sorted(by: { $0.startMs < $1.startMs }) {
            lines.append("  \(e.type.padding(toLength: 14, withPad: " ", startingAt: 0)) \(e.zone.padding(toLength: 6, withPad: " ", startingAt: 0)) from \(isoTime(e.startMs))  severity \(String(format: "%.2f", e.severity))  \(e.summary)")
        }
        lines.append("")
        let falseAlarms = unmatched(live, labels: labels).count
        if liveFromMs == nil {
            lines.append("  \(found) of \(labels.count) injected events found; \(falseAlarms) events match no injected event")
        } else {
            let byType = Dictionary(grouping: history, by: \.type).map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
            lines.append("  \(found) of \(labels.count) injected events found; \(falseAlarms) events in the live week match no injected event")
            lines.append("  \(history.count) events in the imported history, where nothing was injected\(history.isEmpty ? "" : " (\(byType))")")
        }
        return lines.joined(separator: "\n")
    }
}
