import Foundation
import Accounts
import WaterlineKit

/// The gateway's settings (services/gateway/README.md).
public struct GatewayConfig: Sendable {
    public var host: String
    public var port: Int
    public var ingestRPC: [String]
    public var preprocessRPC: [String]
    public var modelRPC: [String]
    public var insightRPC: [String]
    /// Insight's and model's PUB endpoints, for the live stream (empty: not followed).
    public var insightStream: [String]
    public var scoreStream: [String]
    public var rpcTimeoutMs: Int
    public var maxBodyBytes: Int
    /// Largest history file `POST /api/v1/imports` takes (`WATERLINE_MAX_IMPORT_BYTES`).
    public var maxImportBytes: Int
    /// Where uploaded history files wait while they are imported (`WATERLINE_IMPORT_DIR`).
    public var importDirectory: String
    /// Origins a browser may call the API from (CORS); "*" for any, empty for none.
    public var corsOrigins: [String]
    public var mongoURI: String
    public var database: String
    /// The key that signs access tokens (see `TokenSecret`).
    public var tokenSecret: [UInt8]
    public var tokenLifetimeSeconds: Int
    /// Logins (per minute), public reports (per hour) and level lookups (per minute)
    /// allowed per client address.
    public var loginsPerMinute: Int
    public var reportsPerHour: Int
    public var levelLookupsPerMinute: Int
    /// The built web app (index.html and its bundle); empty: the API only.
    public var webRoot: String

    public init(_ env: WaterlineKit.Environment) throws(ConfigError) {
        host = env.string("WATERLINE_HTTP_HOST", default: "0.0.0.0")
        port = try env.int("WATERLINE_HTTP_PORT", default: 8080, range: 0...65535)
        ingestRPC = try env.endpoints("WATERLINE_INGEST_RPC")
        preprocessRPC = try env.endpoints("WATERLINE_PREPROCESS_RPC")
        modelRPC = try env.endpoints("WATERLINE_MODEL_RPC")
        insightRPC = try env.endpoints("WATERLINE_INSIGHT_RPC")
        insightStream = env.values["WATERLINE_INSIGHT_STREAM", default: ""].isEmpty ? [] : try env.endpoints("WATERLINE_INSIGHT_STREAM")
        scoreStream = env.values["WATERLINE_SCORE_STREAM", default: ""].isEmpty ? [] : try env.endpoints("WATERLINE_SCORE_STREAM")
        rpcTimeoutMs = try env.int("WATERLINE_RPC_TIMEOUT_MS", default: 5000, range: 10...600_000)
        maxBodyBytes = try env.int("WATERLINE_MAX_BODY_BYTES", default: 4 << 20, range: 1024...(1 << 30))
        maxImportBytes = try env.int("WATERLINE_MAX_IMPORT_BYTES", default: 1 << 30, range: 1024...(1 << 40))
        importDirectory = env.string("WATERLINE_IMPORT_DIR", default: FileManager.default.temporaryDirectory.appendingPathComponent("waterline-imports").path)
        corsOrigins = env.string("WATERLINE_CORS_ORIGINS", default: "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        mongoURI = try env.mongoURI()
        database = env.mongoDatabase
        do {
            tokenSecret = try TokenSecret.load(secret: env.values["WATERLINE_JWT_SECRET"], file: env.values["WATERLINE_JWT_SECRET_FILE"])
        } catch {
            if case .invalid(let message, let field) = error { throw ConfigError(variable: field, reason: message) }
            throw ConfigError(variable: "WATERLINE_JWT_SECRET", reason: error.description)
        }
        tokenLifetimeSeconds = try env.int("WATERLINE_TOKEN_LIFETIME_S", default: 12 * 3600, range: 60...(30 * 86_400))
        loginsPerMinute = try env.int("WATERLINE_LOGINS_PER_MINUTE", default: 10, range: 1...100_000)
        reportsPerHour = try env.int("WATERLINE_REPORTS_PER_HOUR", default: 5, range: 1...100_000)
        levelLookupsPerMinute = try env.int("WATERLINE_LEVEL_LOOKUPS_PER_MINUTE", default: 60, range: 1...100_000)
        webRoot = env.string("WATERLINE_WEB_ROOT", default: "")
    }
}
