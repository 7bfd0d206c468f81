import Accounts
import Foundation
import Hummingbird
import Logging
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// The RPC clients the gateway forwards to.
public struct Backends: Sendable {
    let ingest: RPCClient
    let preprocess: RPCClient
    let model: RPCClient
    let insight: RPCClient

    public init(config: GatewayConfig) throws {
        let timeout = Duration.milliseconds(config.rpcTimeoutMs)
        ingest = try RPCClient(name: "gw-ingest", connect: config.ingestRPC, timeout: timeout)
        preprocess = try RPCClient(name: "gw-preprocess", connect: config.preprocessRPC, timeout: timeout)
        model = try RPCClient(name: "gw-model", connect: config.modelRPC, timeout: timeout)
        insight = try RPCClient(name: "gw-insight", connect: config.insightRPC, timeout: timeout)
    }
}

/// A route the gateway serves, in OpenAPI's syntax ("GET", "/api/v1/events/{id}"),
/// with who may call it ("anyone", "client" or "admin").
public struct GatewayRoute: Sendable, CustomStringConvertible {
    public let method: String
    public let path: String
    public let access: String
    public var description: String { "\(method) \(path)" }
}

/// Every route the gateway serves: what the OpenAPI document must describe, and the
/// access policy a test checks route by route on the running gateway.
public func gatewayRoutes() async throws -> [GatewayRoute] {
    let unreachable = "tcp://127.0.0.1:1"
    let config = try GatewayConfig(WaterlineKit.Environment([
        "WATERLINE_INGEST_RPC": unreachable, "WATERLINE_PREPROCESS_RPC": unreachable,
        "WATERLINE_MODEL_RPC": unreachable, "WATERLINE_INSIGHT_RPC": unreachable,
        "WATERLINE_MONGO_URI": "mongodb://127.0.0.1:1", "WATERLINE_JWT_SECRET": String(repeating: "x", count: 32),
    ]))
    let mongo = try MongoClient(uri: config.mongoURI, database: config.database, threads: 1)
    defer { mongo.close() }
    let table = RouteTable(router: Router(context: GatewayContext.self))
    try await GatewayAPI(config: config, backends: try Backends(config: config), mongo: mongo, feed: nil).addRoutes(to: table)
    return table.entries.map { GatewayRoute(method: $0.method, path: $0.path, access: $0.access.rawValue) }
}

/// Builds the gateway: its HTTP application and the live feed behind `/api/v1/stream`.
public func buildGateway(config: GatewayConfig, backends: Backends, mongo: MongoClient, logger: Logger) async throws -> GatewayService<some ApplicationProtocol> {
    let router = Router(context: GatewayContext.self)
    router.add(middleware: SecurityHeadersMiddleware(allowedOrigins: Set(config.corsOrigins)))
    let feed = try LiveFeed(insightStream: config.insightStream, scoreStream: config.scoreStream, logger: logger) {
        await GatewayAPI.healthReport(backends).body
    }
    let api = try await GatewayAPI(config: config, backends: backends, mongo: mongo, feed: feed)
    if !config.webRoot.isEmpty {
        // The built web app (index.html, app.js, app.css) at "/"; API paths never match a file.
        if !FileManager.default.fileExists(atPath: config.webRoot + "/index.html") {
            logger.warning("gateway: no index.html in WATERLINE_WEB_ROOT; build the web app with 'make web'", metadata: ["root": "\(config.webRoot)"])
        }
        router.add(middleware: FileMiddleware(config.webRoot, searchForIndexHtml: true, logger: logger))
    }
    router.add(middleware: AuthMiddleware(signer: api.signer, accounts: api.accountCheck))
    api.addRoutes(to: RouteTable(router: router))
    let app = Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "waterline-gateway"),
        onServerRunning: { channel in
            logger.info("gateway listening on http://\(config.host):\(channel.localAddress?.port ?? config.port)")
        },
        logger: logger)
    return GatewayService(app: app, feed: feed)
}

extension GatewayAPI {
    init(config: GatewayConfig, backends: Backends, mongo: MongoClient, feed: LiveFeed?) async throws {
        let users = UserStore(client: mongo)
        self.init(
            backends: backends, maxBodyBytes: config.maxBodyBytes, users: users, accountCheck: AccountCheck(store: users),
            signer: await TokenSigner(secret: config.tokenSecret, lifetime: .seconds(config.tokenLifetimeSeconds)),
            loginLimiter: RateLimiter(limit: config.loginsPerMinute, window: .seconds(60)),
            reportLimiter: RateLimiter(limit: config.reportsPerHour, window: .seconds(3600)),
            levelsLimiter: RateLimiter(limit: config.levelLookupsPerMinute, window: .seconds(60)), feed: feed,
            metrics: MetricsExporter(config: config),
            imports: HistoryImports(
                mongo: mongo, ingest: try RPCClient(name: "gw-import", connect: config.ingestRPC, timeout: .seconds(60)),
                spool: URL(fileURLWithPath: config.importDirectory), maxBytes: config.maxImportBytes,
                logger: Logger(label: "waterline.gateway")))
    }
}
