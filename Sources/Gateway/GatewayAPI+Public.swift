import Detection
import Foundation
import Hummingbird
import WaterlineKit
import WaterlineProto

// MARK: What the public may see and do: water levels near a place, and a leak report

extension GatewayAPI {
    func addPublicRoutes(to routes: RouteTable) {
        routes.get("/api/v1/public/levels", .anyone) { request, context in
            await respond {
                try await self.limited(self.levelsLimiter, context, what: "level lookups")
                return try await self.levels(request)
            }
        }
        routes.post("/api/v1/public/reports", .anyone) { request, context in
            await respond {
                try await self.limited(self.reportLimiter, context, what: "reports")
                return try await self.fileReport(request)
            }
        }
    }

    /// The tanks near a point with their newest level, and the area's pressure in plain
    /// words; nothing else (no sensor ids, no events).
    private func levels(_ request: Request) async throws -> Response {
        let lat = try double(request, "lat", range: -90...90, required: true)!
        let lon = try double(request, "lon", range: -180...180, required: true)!
        let radius = try double(request, "radius", range: 1...10_000, required: false) ?? 2000
        let here = GeoPoint(lat: lat, lon: lon)
        let sensors = try await call(backends.ingest, IngestRPC.listSensors, ListSensorsRequest(), "ingest").sensors
        let near = sensors.compactMap { sensor -> (Sensor, Double)? in
            let place = GeoPoint(lat: sensor.lat, lon: sensor.lon)
            guard place.isValid, sensor.kind == .level || sensor.kind == .pressure else { return nil }
            let distance = place.metres(to: here)
            return distance <= radius ? (sensor, distance) : nil
        }
        var latest = LatestPointsRequest()
        latest.sensorIds = near.map(\.0.sensorID)
        let points = near.isEmpty ? [] : try await call(backends.preprocess, PreprocessRPC.latestPoints, latest, "preprocess").points
        let newest = Dictionary(points.map { ($0.sensorID, $0) }, uniquingKeysWith: { a, _ in a })
        // The network's clock: its newest point (demo and replayed data are not "now").
        let clock = points.map(\.tsMs).max() ?? 0
        let tanks: [[String: Any]] = near.filter { $0.0.kind == .level }.sorted { $0.1 < $1.1 }.map { sensor, distance in
            let point = newest[sensor.sensorID]
            let name = sensor.nodeID.isEmpty ? "tank \(String(format: "%.0f", distance)) m away" : sensor.nodeID
            return [
                "name": name, "kind": name.lowercased().contains("reservoir") ? "reservoir" : "tank",
                "level_m": point.flatMap { $0.hasValue ? $0.value : nil } as Any? ?? NSNull(),
                "updated_ms": point.map { $0.tsMs as Any } ?? NSNull(), "distance_m": distance.rounded(),
                "lat": sensor.lat, "lon": sensor.lon,
            ]
        }
        let pressures = near.filter { $0.0.kind == .pressure }.compactMap { sensor, _ -> (bar: Double, tsMs: Int64)? in
            guard let point = newest[sensor.sensorID], point.hasValue else { return nil }
            return (point.value, point.tsMs)
        }
        let status = AreaPressure.judge(readings: pressures, nowMs: clock)
        return jsonResponse([
            "radius_m": radius, "tanks": tanks,
            "pressure": ["status": status.rawValue, "message": status.message, "sensors": pressures.count] as [String: Any],
        ])
    }

    /// 201 with the report's id and how many open events it matched; 422 naming the
    /// field that breaks the rules.
    private func fileReport(_ request: Request) async throws -> Response {
        let fields = try await jsonObject(request, example: #"{"name": "...", "locality": "...", "remark": "...", "suspected_leak": true}"#)
        var report = PublicReport()
        report.name = try string(fields, "name")
        report.locality = try string(fields, "locality")
        report.remark = try string(fields, "remark", required: false)
        guard let leak = fields["suspected_leak"] as? NSNumber, leak.isBoolean else {
            throw APIError.unprocessable("suspected_leak must be true or false", field: "suspected_leak")
        }
        report.suspectedLeak = leak.boolValue
        let lat = fields["lat"], lon = fields["lon"]
        if !(lat == nil || lat is NSNull) || !(lon == nil || lon is NSNull) {
            guard let la = Self.number(lat) else { throw APIError.unprocessable("lat must be a number (degrees) when a position is given", field: "lat") }
            guard let lo = Self.number(lon) else { throw APIError.unprocessable("lon must be a number (degrees) when a position is given", field: "lon") }
            report.positionGiven = true
            report.lat = la
            report.lon = lo
        }
        do { try PublicReportRules.check(report) } catch { throw APIError.unprocessable(error.message, field: error.violations.first?.field) }
        var submit = SubmitReportRequest()
        submit.report = report
        let filed = try await call(backends.insight, InsightRPC.submitReport, submit, "insight")
        let message =
            filed.eventIds.isEmpty
            ? "Thank you. Your report has been passed to the utility's staff."
            : "Thank you. Your report matches a problem the utility is already working on; it has been added to it."
        return jsonResponse(["report_id": filed.reportID, "matched_events": filed.eventIds.count, "message": message], status: .created)
    }

    /// 429 with `Retry-After` (the seconds until the window turns) when the caller's
    /// address has used up its allowance.
    func limited(_ limiter: RateLimiter, _ context: GatewayContext, what: String) async throws {
        guard await limiter.allow(context.clientAddress) else {
            let wait = await limiter.secondsLeft()
            var error = APIError(status: .tooManyRequests, code: "rate_limited", message: "too many \(what) from your address; try again in \(wait) s")
            error.retryAfter = wait
            throw error
        }
    }

    private func string(_ fields: [String: Any], _ name: String, required: Bool = true) throws(APIError) -> String {
        guard let value = fields[name], !(value is NSNull) else {
            if required { throw APIError.unprocessable("\(name) is required", field: name) }
            return ""
        }
        guard let text = value as? String else { throw APIError.unprocessable("\(name) must be text", field: name) }
        return text
    }

    /// A JSON number that is not a boolean.
    static func number(_ value: Any?) -> Double? {
        guard let number = value as? NSNumber, !number.isBoolean else { return nil }
        return number.doubleValue
    }

    func double(_ request: Request, _ name: String, range: ClosedRange<Double>, required: Bool) throws(APIError) -> Double? {
        guard let text = request.uri.queryParameters[name[...]] else {
            if required { throw APIError.unprocessable("query parameter '\(name)' is required", field: name) }
            return nil
        }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw APIError.unprocessable(
                "query parameter '\(name)' must be a number from \(range.lowerBound.formatted()) to \(range.upperBound.formatted()), got '\(text)'",
                field: name)
        }
        return value
    }
}

extension NSNumber {
    /// JSONSerialization gives booleans as NSNumber too; this tells them apart.
    var isBoolean: Bool { String(cString: objCType) == "c" }
}
