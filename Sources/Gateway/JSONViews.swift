import Foundation
import WaterlineKit
import WaterlineProto

// How wire messages look in the REST API: snake_case, labels instead of enum numbers.

extension Sensor {
    var json: [String: Any] {
        [
            "sensor_id": sensorID, "kind": kind.label, "unit": unit, "zone": zone, "node_id": nodeID,
            "lat": lat, "lon": lon, "min": minValue, "max": maxValue, "cadence_ms": cadenceMs, "zone_inlet": zoneInlet,
            "balance_role": balanceRole.label, "storage_area_m2": storageAreaM2, "outlet_of_zone": outletOfZone,
        ]
    }
}

extension RawReading {
    var json: [String: Any] { ["ts_ms": tsMs, "value": value, "received_ms": receivedMs, "conflict": conflict] }
}

extension CleanPoint {
    var json: [String: Any] {
        [
            "ts_ms": tsMs, "value": hasValue ? value as Any : NSNull(), "raw_value": hasRawValue ? rawValue as Any : NSNull(),
            "flags": QualityFlagNames.names(flags), "revision": revision,
            "smoothed": hasSmoothed ? smoothed as Any : NSNull(),
        ]
    }
}

extension RollupPoint {
    /// Clean values' count, min, mean and max, and the worst anomaly score (null when the
    /// step has none).
    var json: [String: Any] {
        [
            "ts_ms": tsMs, "count": count, "min": count > 0 ? min as Any : NSNull(), "mean": count > 0 ? mean as Any : NSNull(),
            "max": count > 0 ? max as Any : NSNull(), "score_count": scoreCount,
            "worst_score": scoreCount > 0 ? worstScore as Any : NSNull(),
        ]
    }
}

extension Score {
    var json: [String: Any] {
        [
            "ts_ms": tsMs, "value": value, "forecast_mean": forecastMean, "lower": lower, "upper": upper,
            "anomaly_score": anomalyScore, "anomalous": anomalous, "warmed_up": warmedUp, "model_version": modelVersion,
            "revision": revision,
        ]
    }
}

extension Event {
    var json: [String: Any] {
        [
            "event_id": eventID, "type": type.label, "status": status.label, "zone": zone, "sensor_ids": sensorIds,
            "start_ms": startMs, "last_evidence_ms": lastEvidenceMs, "end_ms": endMs == 0 ? NSNull() : endMs as Any,
            "severity": severity, "confidence": confidence, "model_version": modelVersion, "summary": summary,
            "acknowledged_by": acknowledgedBy, "acknowledged_ms": acknowledgedMs, "resolved_by": resolvedBy,
            "resolved_ms": resolvedMs, "updated_ms": updatedMs,
            "evidence": evidence.map { e in
                [
                    "sensor_id": e.sensorID, "kind": e.kind, "first_ms": e.firstMs, "last_ms": e.lastMs,
                    "peak_score": e.peakScore, "mean_relative_deviation": e.meanDeviation,
                    "anomalous_points": e.anomalousPoints,
                ] as [String: Any]
            },
            "history": history.map { ["action": $0.action, "actor": $0.actor, "at_ms": $0.atMs, "comment": $0.comment] as [String: Any] },
            "loss": hasLoss
                ? [
                    "volume_m3": loss.volumeM3, "low_m3": loss.lowM3, "high_m3": loss.highM3, "revenue": loss.revenue,
                    "tariff_per_m3": loss.tariffPerM3, "current_flow_m3h": loss.currentFlowM3H,
                ] as [String: Any] : NSNull(),
            "candidates": candidates.map { c in
                ["node_id": c.nodeID, "link_id": c.linkID, "sensor_id": c.sensorID, "score": c.score, "lat": c.lat, "lon": c.lon]
                    as [String: Any]
            },
            "location_note": locationNote,
            "label": label.isEmpty ? NSNull() : label, "labelled_by": labelledBy, "labelled_ms": labelledMs,
            "public_reports": publicReports,
            "trace_id": traceID, "raised_ms": raisedMs == 0 ? NSNull() : raisedMs as Any,
            "raised_wall_ms": raisedWallMs == 0 ? NSNull() : raisedWallMs as Any,
            "located_ms": locatedMs == 0 ? NSNull() : locatedMs as Any,
        ]
    }
}

extension PublicReport {
    var json: [String: Any] {
        [
            "report_id": reportID, "name": name, "locality": locality, "remark": remark, "suspected_leak": suspectedLeak,
            "has_position": positionGiven, "lat": positionGiven ? lat as Any : NSNull(), "lon": positionGiven ? lon as Any : NSNull(),
            "received_ms": receivedMs, "status": status.label, "event_ids": eventIds, "handled_by": handledBy,
            "handled_ms": handledMs, "note": note,
        ]
    }
}

extension Settings {
    var json: [String: Any] {
        ["tariff_per_m3": tariffPerM3, "currency": currency, "updated_by": updatedBy, "updated_ms": updatedMs]
    }
}

extension SummaryResponse {
    var json: [String: Any] {
        [
            "generated_ms": generatedMs,
            "zones": zones.map { z in
                [
                    "zone": z.zone, "open_events": z.openEvents, "open_by_type": z.openByType, "loss_m3": z.lossM3,
                    "revenue": z.revenue, "current_excess_m3h": z.currentExcessM3H,
                ] as [String: Any]
            },
        ]
    }
}

extension HealthResponse {
    var json: [String: Any] {
        ["service": service, "status": status, "instance_id": instanceID, "started_ms": startedMs, "counters": counters, "detail": detail]
    }
}

enum QualityFlagNames {
    static let all: [(UInt32, String)] = [
        (1, "imputed"), (2, "aggregated"), (4, "gap"), (8, "out_of_range"), (16, "late"), (32, "stuck"), (64, "spike"),
        (128, "conflict"), (256, "repeated"),
    ]

    static func names(_ flags: UInt32) -> [String] {
        all.filter { flags & $0.0 != 0 }.map(\.1)
    }
}
