import Detection
import Foundation
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Public reports: stored in `reports`, matched to the open leak and burst events near
/// them, listed and handled by the utility's staff.
struct ReportDesk: Sendable {
    let reports: MongoCollection
    let events: MongoCollection
    let sensors: SensorDirectory
    let matcher: ReportMatcher

    /// Checks and stores a new report; returns it with the events it matched.
    func file(_ request: SubmitReportRequest, nowMs: Int64) async throws -> PublicReport {
        var report = request.report
        try PublicReportRules.check(report)
        report.name = report.name.trimmingCharacters(in: .whitespacesAndNewlines)
        report.locality = report.locality.trimmingCharacters(in: .whitespacesAndNewlines)
        report.remark = report.remark.trimmingCharacters(in: .whitespacesAndNewlines)
        report.reportID = "rpt-\(nowMs)-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))"
        report.receivedMs = nowMs
        report.status = .new
        report.handledBy = ""
        report.handledMs = 0
        report.note = ""
        let position = report.positionGiven ? GeoPoint(lat: report.lat, lon: report.lon) : nil
        report.eventIds = matcher.match(position: position, locality: report.locality, events: try await openEvents())
        let document = try report.document()
        _ = try await databaseCall { try await self.reports.insertMany([document], ordered: true) }
        return report
    }

    func list(_ request: ListReportsRequest) async throws -> ListReportsResponse {
        var filter: Document = [:]
        if request.status != .unspecified { filter["status"] = .string(request.status.label) }
        let limit = Int(request.limit == 0 ? 100 : min(request.limit, 1000))
        let query = filter
        let documents = try await databaseCall { try await self.reports.find(query, sort: ["received_ms": -1], limit: limit) }
        var reply = ListReportsResponse()
        reply.reports = try documents.map { try PublicReport(document: $0) }
        return reply
    }

    func update(_ request: UpdateReportRequest, nowMs: Int64) async throws -> PublicReport {
        guard request.status == .reviewed || request.status == .dismissed else {
            throw RPCError.invalidArgument("status must be reviewed or dismissed", field: "status")
        }
        guard !request.actor.isEmpty else { throw RPCError.invalidArgument("actor is required: who does this", field: "actor") }
        let update: Document = [
            "$set": [
                "status": .string(request.status.label), "handled_by": .string(request.actor), "handled_ms": .int64(nowMs),
                "note": .string(String(request.note.prefix(1000))),
            ]
        ]
        let id = request.reportID
        guard let document = try await databaseCall({ try await self.reports.findOneAndUpdate(filter: ["_id": .string(id)], update: update) })
        else { throw RPCError.notFound("no report '\(id)'") }
        return try PublicReport(document: document)
    }

    /// Open (or acknowledged) leaks and bursts with every place known for each: its
    /// location candidates, its sensors and the sensors of its zone.
    private func openEvents() async throws -> [ReportMatcher.OpenEvent] {
        let filter: Document = [
            "status": ["$in": [.string("open"), .string("acknowledged")]], "type": ["$in": [.string("leak"), .string("burst")]],
        ]
        let documents = try await databaseCall { try await self.events.find(filter, sort: ["start_ms": -1], limit: 1000) }
        let all = sensors.all
        return try documents.map { document in
            let event = try Event(document: document)
            let own = Set(event.sensorIds)
            let places =
                event.candidates.map { GeoPoint(lat: $0.lat, lon: $0.lon) }
                + all.filter { own.contains($0.sensorID) || $0.zone == event.zone }.map { GeoPoint(lat: $0.lat, lon: $0.lon) }
            return ReportMatcher.OpenEvent(eventID: event.eventID, zone: event.zone, places: places)
        }
    }
}
