import Accounts
import Foundation
import Hummingbird
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// REST under /api/v1, translated into RPC calls on the services. No business logic.
struct GatewayAPI: Sendable {
    let backends: Backends
    let maxBodyBytes: Int
    let users: UserStore
    /// Whether a token's user is still enabled (the middleware's and the stream's check).
    let accountCheck: AccountCheck
    let signer: TokenSigner
    let loginLimiter: RateLimiter
    let reportLimiter: RateLimiter
    let levelsLimiter: RateLimiter
    /// The live stream's source; nil where routes are only listed.
    let feed: LiveFeed?
    /// Every replica's Stats for /metrics.
    let metrics: MetricsExporter
    /// History imports started over REST.
    let imports: HistoryImports

    func addRoutes(to routes: RouteTable) {
        routes.post("/api/v1/readings", .client) { request, _ in await respond { try await self.postReadings(request) } }
        routes.get("/api/v1/sensors", .client) { request, _ in await respond { try await self.sensors(request) } }
        routes.get("/api/v1/sensors/:id/series", .client) { request, context in
            await respond { try await self.series(request, id: try context.parameters.require("id")) }
        }
        routes.get("/api/v1/events", .client) { request, _ in await respond { try await self.events(request) } }
        routes.get("/api/v1/events/:id", .client) { _, context in
            await respond {
                var get = GetEventRequest()
                get.eventID = try context.parameters.require("id")
                let event = try await call(self.backends.insight, InsightRPC.getEvent, get, "insight")
                return jsonResponse(event.json)
            }
        }
        let actions: [(String, EventActionType)] = [
            ("acknowledge", .acknowledge), ("resolve", .resolve), ("false-positive", .falsePositive), ("comment", .comment),
            ("confirm-leak", .confirmLeak), ("confirm-sensor-fault", .confirmSensorFault),
        ]
        for (path, action) in actions {
            routes.post("/api/v1/events/:id/\(path)", .client) { request, context in
                await respond {
                    try await self.updateEvent(request, id: try context.parameters.require("id"), action: action, actor: context.caller.name)
                }
            }
        }
        routes.get("/api/v1/summary", .client) { _, _ in
            await respond { jsonResponse(try await call(self.backends.insight, InsightRPC.summary, SummaryRequest(), "insight").json) }
        }
        routes.get("/api/v1/health", .client) { _, _ in await respond { await self.health() } }
        routes.get("/api/v1/openapi.json", .anyone) { _, _ in OpenAPIDocument.response }
        routes.get("/api/v1/health/live", .anyone) { _, _ in jsonResponse(["status": "ok"]) }
        // Prometheus scrapes with a client account's token (`authorization` in its config).
        routes.get("/metrics", .client) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: await self.metrics.scrape())))
        }
        addModelRoutes(to: routes)
        addAccountRoutes(to: routes)
        addPublicRoutes(to: routes)
        addReportRoutes(to: routes)
        addImportRoutes(to: routes)
        routes.get("/api/v1/stream", .client) { request, context in await respond { try self.stream(request, context) } }
    }

    // MARK: Handlers

    private func postReadings(_ request: Request) async throws -> Response {
        let submit = try ReadingsParser.parse(try await body(request))
        let reply = try await call(backends.ingest, IngestRPC.submitReadings, submit, "ingest")
        let rejected: [[String: Any]] = reply.rejected.map {
            ["index": $0.index, "sensor_id": $0.sensorID, "reason": $0.reason.label, "detail": $0.detail]
        }
        // 200: all stored; 207: some rejected, the rest stored; 422: nothing acceptable.
        let status: HTTPResponse.Status =
            rejected.isEmpty ? .ok : (rejected.count == submit.readings.count ? .unprocessableContent : HTTPResponse.Status(code: 207, reasonPhrase: "Multi-Status"))
        return jsonResponse(
            ["accepted": reply.accepted, "duplicates": reply.duplicates, "conflicts": reply.conflicts, "rejected": rejected],
            status: status)
    }

    private func sensors(_ request: Request) async throws -> Response {
        var list = ListSensorsRequest()
        list.zone = request.uri.queryParameters["zone"].map(String.init) ?? ""
        let reply = try await call(backends.ingest, IngestRPC.listSensors, list, "ingest")
        return jsonResponse(["sensors": reply.sensors.map(\.json)])
    }

    /// Every point (`resolution=raw`) or rollups (`5m`, `1h`, `1d`); without a
    /// resolution, one is picked by the range (raw when it has no end).
    private func series(_ request: Request, id: String) async throws -> Response {
        var query = SeriesRequest()
        query.sensorID = id
        query.fromMs = try int64(request, "from") ?? 0
        query.toMs = try int64(request, "to") ?? 0
        query.limit = UInt32(clamping: try int64(request, "limit") ?? 0)
        if query.toMs != 0 && query.fromMs > query.toMs {
            throw APIError.unprocessable("'from' must not be after 'to'", field: "from")
        }
        let resolution: SeriesResolution
        if let named = request.uri.queryParameters["resolution"] {
            guard let r = SeriesResolution(rawValue: String(named)) else {
                throw APIError.unprocessable("resolution must be raw, 5m, 1h or 1d", field: "resolution")
            }
            resolution = r
        } else {
            resolution = query.toMs == 0 ? .raw : SeriesResolution.pick(fromMs: query.fromMs, toMs: query.toMs)
        }
        guard resolution == .raw else { return try await rollups(query, resolution: resolution) }
        let q = query
        async let raw = call(backends.ingest, IngestRPC.getRawSeries, q, "ingest")
        async let clean = call(backends.preprocess, PreprocessRPC.getCleanSeries, q, "preprocess")
        async let scores = call(backends.model, ModelRPC.getScoreSeries, q, "model")
        let (r, c, s) = try await (raw, clean, scores)
        return jsonResponse([
            "sensor_id": id, "resolution": "raw", "raw": r.readings.map(\.json), "clean": c.points.map(\.json),
            "scores": s.scores.map(\.json), "rollups": [Any](),
        ])
    }

    private func rollups(_ query: SeriesRequest, resolution: SeriesResolution) async throws -> Response {
        var request = RollupRequest()
        request.sensorID = query.sensorID
        request.fromMs = query.fromMs
        request.toMs = query.toMs
        request.resolution = resolution.rawValue
        let reply = try await call(backends.preprocess, PreprocessRPC.getSeriesRollups, request, "preprocess")
        return jsonResponse([
            "sensor_id": query.sensorID, "resolution": reply.resolution, "raw": [Any](), "clean": [Any](), "scores": [Any](),
            "rollups": reply.points.map(\.json),
        ])
    }

    private func events(_ request: Request) async throws -> Response {
        var list = ListEventsRequest()
        let q = request.uri.queryParameters
        list.zone = q["zone"].map(String.init) ?? ""
        if let type = q["type"] {
            guard let t = EventType(label: String(type)) else { throw APIError.unprocessable("unknown event type '\(type)'", field: "type") }
            list.type = t
        }
        if let status = q["status"] {
            guard let s = EventStatus(label: String(status)) else { throw APIError.unprocessable("unknown status '\(status)'", field: "status") }
            list.status = s
        }
        list.fromMs = try int64(request, "from") ?? 0
        list.toMs = try int64(request, "to") ?? 0
        list.updatedFromMs = try int64(request, "updated_from") ?? 0
        list.limit = UInt32(clamping: try int64(request, "limit") ?? 0)
        let reply = try await call(backends.insight, InsightRPC.listEvents, list, "insight")
        return jsonResponse(["events": reply.events.map(\.json)])
    }

    /// The logged-in user is the actor; the body may carry a comment.
    private func updateEvent(_ request: Request, id: String, action: EventActionType, actor: String) async throws -> Response {
        var update = UpdateEventRequest()
        update.eventID = id
        update.action = action
        update.actor = actor
        let data = try await body(request)
        if !data.isEmpty, let comment = try jsonObject(data, example: #"{"comment": "..."}"#)["comment"] as? String {
            update.comment = comment
        }
        let event = try await call(backends.insight, InsightRPC.updateEvent, update, "insight")
        return jsonResponse(event.json)
    }

    private func health() async -> Response {
        let report = await Self.healthReport(backends)
        return jsonResponse(report.body, status: report.healthy ? .ok : .serviceUnavailable)
    }

    /// Every service's health, asked in parallel (2 s deadline each).
    static func healthReport(_ backends: Backends) async -> (healthy: Bool, body: [String: Any]) {
        async let ingest = probe(backends.ingest, IngestRPC.health, "ingest")
        async let preprocess = probe(backends.preprocess, PreprocessRPC.health, "preprocess")
        async let model = probe(backends.model, ModelRPC.health, "model")
        async let insight = probe(backends.insight, InsightRPC.health, "insight")
        let all = await [ingest, preprocess, model, insight]
        let healthy = all.allSatisfy { ($0["status"] as? String) == "SERVING" }
        return (healthy, ["status": healthy ? "ok" : "degraded", "services": all])
    }

    private static func probe(_ client: RPCClient, _ method: RPCMethod<HealthRequest, HealthResponse>, _ name: String) async -> [String: Any] {
        do {
            return try await client.call(method, HealthRequest(), timeout: .seconds(2)).json
        } catch {
            return ["service": name, "status": "UNREACHABLE", "detail": error.description]
        }
    }

    /// Server-sent events until the browser goes away or the gateway stops.
    private func stream(_ request: Request, _ context: GatewayContext) throws -> Response {
        guard let feed else { throw APIError(status: .serviceUnavailable, code: "unavailable", message: "the live stream is not running") }
        let sensor = request.uri.queryParameters["sensor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let hello = LiveFeed.frame("hello", ["name": context.caller.name, "sensor": sensor as Any? ?? NSNull()])
        let name = context.caller.name
        let expires = context.tokenExpires ?? .distantFuture
        let accountCheck = self.accountCheck
        var response = Response(
            status: .ok, headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                let (id, messages) = feed.listen(sensor: sensor)
                // The stream lasts as long as the right to it: it ends when the token
                // expires or the account is disabled (the browser then logs in again).
                let watchdog = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(5))
                        if Date() >= expires { break }
                        if await accountCheck.state(of: name) == .inactive { break }
                    }
                    feed.stopListening(id)
                }
                defer {
                    watchdog.cancel()
                    feed.stopListening(id)
                }
                // The browser reconnects after 3 s when the connection drops.
                try await writer.write(ByteBuffer(string: "retry: 3000\n\n" + hello))
                for await frame in messages { try await writer.write(ByteBuffer(string: frame)) }
                try await writer.finish(nil)
            })
        response.headers[.init("X-Accel-Buffering")!] = "no"
        return response
    }

    // MARK: Helpers

    func body(_ request: Request) async throws(APIError) -> Data {
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: maxBodyBytes)
            return Data(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(status: .contentTooLarge, code: "body_too_large", message: "request body exceeds \(maxBodyBytes) bytes (WATERLINE_MAX_BODY_BYTES)")
        } catch {
            throw APIError.badRequest("could not read the request body: \(error)")
        }
    }

    func int64(_ request: Request, _ name: String) throws(APIError) -> Int64? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let value = Int64(text) else {
            throw APIError.unprocessable("query parameter '\(name)' must be an integer, got '\(text)'", field: name)
        }
        return value
    }
}

/// Calls a backing service, turning its failure into an API error.
func call<Q, R>(_ client: RPCClient, _ method: RPCMethod<Q, R>, _ request: Q, _ service: String) async throws(APIError) -> R {
    do { return try await client.call(method, request) } catch { throw APIError(error, service: service) }
}

/// Runs a handler and turns any error into a JSON error response.
func respond(_ body: () async throws -> Response) async -> Response {
    do { return try await body() } catch let error as APIError {
        return error.response
    } catch let error as HTTPError {
        return APIError(status: error.status, code: "http_error", message: error.body ?? "\(error.status)").response
    } catch {
        return APIError(status: .internalServerError, code: "internal", message: "\(error)").response
    }
}
