import Foundation
import Hummingbird
import Simulation
import WaterlineKit
import WaterlineProto

// MARK: Public reports as the staff handle them; sensors and settings (administrators)

extension GatewayAPI {
    func addReportRoutes(to routes: RouteTable) {
        routes.get("/api/v1/reports", .client) { request, _ in
            await respond {
                var list = ListReportsRequest()
                if let status = request.uri.queryParameters["status"] {
                    guard let s = ReportStatus(label: String(status)), s != .unspecified else {
                        throw APIError.unprocessable("status must be new, reviewed or dismissed, got '\(status)'", field: "status")
                    }
                    list.status = s
                }
                list.limit = UInt32(clamping: try self.int64(request, "limit") ?? 0)
                let reply = try await call(self.backends.insight, InsightRPC.listReports, list, "insight")
                return jsonResponse(["reports": reply.reports.map(\.json)])
            }
        }
        for (path, status) in [("review", ReportStatus.reviewed), ("dismiss", .dismissed)] {
            routes.post("/api/v1/reports/:id/\(path)", .client) { request, context in
                await respond {
                    var update = UpdateReportRequest()
                    update.reportID = try context.parameters.require("id")
                    update.status = status
                    update.actor = context.caller.name
                    let data = try await self.body(request)
                    if !data.isEmpty {
                        let fields = try self.jsonObject(data, example: #"{"note": "..."}"#)
                        update.note = fields["note"] as? String ?? ""
                    }
                    return jsonResponse(try await call(self.backends.insight, InsightRPC.updateReport, update, "insight").json)
                }
            }
        }
        routes.post("/api/v1/sensors/import", .admin) { request, _ in await respond { try await self.importSensors(request) } }
        routes.get("/api/v1/settings", .client) { _, _ in
            await respond { jsonResponse(try await call(self.backends.insight, InsightRPC.getSettings, GetSettingsRequest(), "insight").json) }
        }
        routes.post("/api/v1/settings", .admin) { request, context in
            await respond {
                let fields = try await self.jsonObject(request, example: #"{"tariff_per_m3": 1.85, "currency": "EUR"}"#)
                var update = UpdateSettingsRequest()
                guard let tariff = Self.number(fields["tariff_per_m3"]) else {
                    throw APIError.unprocessable("tariff_per_m3 must be a number (price per cubic metre)", field: "tariff_per_m3")
                }
                update.tariffPerM3 = tariff
                if let currency = fields["currency"], !(currency is NSNull) {
                    guard let text = currency as? String else { throw APIError.unprocessable("currency must be text such as EUR", field: "currency") }
                    update.currency = text
                }
                update.actor = context.caller.name
                return jsonResponse(try await call(self.backends.insight, InsightRPC.updateSettings, update, "insight").json)
            }
        }
    }

    /// Registers the sensors of a `sensors.csv` sent as `{"csv": "...", "cadence_ms"?,
    /// "inlets"?: ["id", ...], "outlets"?: ["id", ...] or {"id": "zone"}, "storage"?: {"id": area_m2}}` with
    /// ingest; each sensor ingest refuses comes back with its reason.
    private func importSensors(_ request: Request) async throws -> Response {
        let fields = try await jsonObject(request, example: #"{"csv": "sensor_id,kind,unit,zone,node_id,lat,lon,min,max\n...", "cadence_ms": 60000}"#)
        guard let csv = fields["csv"] as? String, !csv.isEmpty else {
            throw APIError.unprocessable("csv is required: the text of a sensors.csv", field: "csv")
        }
        let cadence = Self.number(fields["cadence_ms"]) ?? 60_000
        guard cadence.isFinite, (1000...86_400_000).contains(cadence) else {
            throw APIError.unprocessable("cadence_ms must be from 1000 (a second) to 86400000 (a day)", field: "cadence_ms")
        }
        let parsed: [ScenarioSensor]
        do { parsed = try ScenarioFolder.decodeSensors(csv: Data(csv.utf8)) } catch {
            throw APIError.unprocessable("\(error)", field: "csv")
        }
        var roles = BalanceRoles(inlets: Set((fields["inlets"] as? [String]) ?? []))
        // Outlets of the zone they sit in ("id"), or of another zone ("id@zone").
        guard fields["outlets"] == nil || fields["outlets"] is [String] else {
            throw APIError.unprocessable("outlets must be a list of sensor ids, each optionally id@zone for a meter taking water out of another zone", field: "outlets")
        }
        roles.addOutlets((fields["outlets"] as? [String]) ?? [], of: parsed)
        if let storage = fields["storage"] {
            guard let areas = storage as? [String: Any] else {
                throw APIError.unprocessable("storage must map tank level sensor ids to their tanks' areas in m²", field: "storage")
            }
            for (id, value) in areas {
                guard let area = Self.number(value), area > 0, area.isFinite else {
                    throw APIError.unprocessable("storage: the area of \(id) must be a positive number of m²", field: "storage")
                }
                roles.storage[id] = area
            }
        }
        var register = RegisterSensorsRequest()
        register.sensors = parsed.map { Sensor($0, cadenceMs: Int64(cadence), roles: roles) }
        let reply = try await call(backends.ingest, IngestRPC.registerSensors, register, "ingest")
        return jsonResponse([
            "registered": reply.registered,
            "rejected": reply.rejected.map { ["sensor_id": $0.sensorID, "reason": $0.reason] as [String: Any] },
        ])
    }
}
