import Foundation
import Hummingbird
import Logging
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

/// Every route the gateway serves, as "METHOD /path" in OpenAPI's syntax
/// ("GET /api/v1/events/{id}"): what the OpenAPI document must describe.
public func gatewayRoutes() throws -> [String] {
    let table = RouteTable(router: Router(context: BasicRequestContext.self))
    let unreachable = "tcp://127.0.0.1:1"
    let config = try GatewayConfig(WaterlineKit.Environment([
        "WATERLINE_INGEST_RPC": unreachable, "WATERLINE_PREPROCESS_RPC": unreachable,
        "WATERLINE_MODEL_RPC": unreachable, "WATERLINE_INSIGHT_RPC": unreachable,
    ]))
    GatewayAPI(backends: try Backends(config: config), maxBodyBytes: config.maxBodyBytes).addRoutes(to: table)
    return table.recorded
}

/// Builds the gateway's HTTP application: used by the executable and by tests alike.
public func buildGateway(config: GatewayConfig, backends: Backends, logger: Logger) -> some ApplicationProtocol {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware(allowedOrigins: Set(config.corsOrigins)))
    let api = GatewayAPI(backends: backends, maxBodyBytes: config.maxBodyBytes)
    api.addRoutes(to: RouteTable(router: router))
    return Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "waterline-gateway"),
        onServerRunning: { channel in
            logger.info("gateway listening on http://\(config.host):\(channel.localAddress?.port ?? config.port)")
        },
        logger: logger)
}
