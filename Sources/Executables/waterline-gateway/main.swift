import AccountsCommand
import Foundation
import Gateway
import Hummingbird
import Logging
import Mongo
import WaterlineKit

/// `waterline-gateway users ...` manages accounts (the same as `waterline users`), for use
/// inside the gateway's container.
if CommandLine.arguments.dropFirst().first == "users" {
    await UsersCommand.run(arguments: Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

/// `waterline-gateway healthcheck` checks the local gateway over HTTP.
if CommandLine.arguments.dropFirst().first == "healthcheck" {
    let port = WaterlineKit.Environment().string("WATERLINE_HTTP_PORT", default: "8080")
    exit(GatewayHealthcheck.run(port: Int(port) ?? 8080))
}

await ServiceMain.run(name: "waterline-gateway", health: nil, rpcBindVariable: nil, defaultRPCBind: nil) { environment, logger in
    let config = try GatewayConfig(environment)
    let mongo = try MongoClient(uri: config.mongoURI, database: config.database, appName: "waterline-gateway", threads: 2)
    return try await buildGateway(config: config, backends: try Backends(config: config), mongo: mongo, logger: logger)
}
