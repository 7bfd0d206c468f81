import Foundation
import Gateway
import Hummingbird
import Logging
import WaterlineKit

/// `waterline-gateway healthcheck` checks the local gateway over HTTP.
if CommandLine.arguments.dropFirst().first == "healthcheck" {
    let port = WaterlineKit.Environment().string("WATERLINE_HTTP_PORT", default: "8080")
    exit(GatewayHealthcheck.run(port: Int(port) ?? 8080))
}

await ServiceMain.run(name: "waterline-gateway", health: nil, rpcBindVariable: nil, defaultRPCBind: nil) { environment, logger in
    let config = try GatewayConfig(environment)
    return GatewayService(app: buildGateway(config: config, backends: try Backends(config: config), logger: logger))
}
