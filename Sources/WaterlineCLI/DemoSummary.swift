import Foundation
import Simulation
import WaterlineKit
import WaterlineProto

/// Matches detected events to a scenario's injected ground truth.
public enum DemoSummary {
    /// The event that found `label`, if any: same type (a burst found as a leak counts
    /// for the leak family but is shown), same zone (or sensor, for sensor health), and
    /// a start between an hour before the label and its end.
    public static func match(_ label: ScenarioLabel, in events: [Event]) -> Event? {
        events.filter { e in
            let typeOK = e.type.label == label.type
            let placeOK: Bool
            if let sensor = label.sensorId, label.type == "sensor_fault" || label.type == "data_gap" {
                placeOK = e.sensorIds.contains(sensor)
            } else {
                placeOK = label.zone == nil || e.zone == label.zone
            }
            return typeOK && placeOK && e.startMs >= label.startMs - 3_600_000 && e.startMs <= label.endMs
        }.min { $0.startMs < $1.startMs }
    }

    public static func render(events: [Event], labels: [ScenarioLabel], readingsStored: Int, pointsScored: Int) -> String {
        var lines = ["", "Summary", "  readings stored: \(readingsStored)   points scored: \(pointsScored)   events: \(events.count)", ""]
        lines.append("  Injected truth                                      Found")
        var found = 0
        for label in labels {
            let place = label.sensorId.map { "\(label.zone ?? "-")/\($0)" } ?? (label.zone ?? "-")
            let truth = "\(label.type) in \(place) at \(isoTime(label.startMs))"
            if let event = match(label, in: events) {
                found += 1
                let delay = (event.startMs - label.startMs) / 60_000
                lines.append("  \(truth.padding(toLength: 50, withPad: " ", startingAt: 0))  yes: \(event.type.label) \(event.eventID), start \(delay >= 0 ? "+" : "")\(delay) min")
            } else {
                lines.append("  \(truth.padding(toLength: 50, withPad: " ", startingAt: 0))  NOT FOUND")
            }
        }
        lines.append("")
        lines.append("  Detected events")
        for e in events.sorted(by: { $0.startMs < $1.startMs }) {
            lines.append("  \(e.type.label.padding(toLength: 14, withPad: " ", startingAt: 0)) \(e.zone.padding(toLength: 6, withPad: " ", startingAt: 0)) from \(isoTime(e.startMs))  severity \(String(format: "%.2f", e.severity))  \(e.summary)")
        }
        lines.append("")
        lines.append("  \(found) of \(labels.count) injected events found")
        return lines.joined(separator: "\n")
    }
}
