import WaterlineKit

/// The model service's settings (services/model/README.md).
public struct ModelConfig: Sendable {
    public var mongoURI: String
    public var database: String
    public var instanceID: String
    public var partitions: Int
    public var cleanStream: [String]
    public var rpcBind: String
    public var scorePubBind: String
    /// |score| above which a point is anomalous (1 = the 90% interval's edge).
    public var anomalyThreshold: Double
    /// Days of clean history used to warm the profiles at start.
    public var warmupDays: Int

    public static let defaultRPCBind = "tcp://0.0.0.0:7021"

    public init(_ env: Environment) throws(ConfigError) {
        mongoURI = try env.mongoURI()
        database = env.mongoDatabase
        instanceID = env.instanceID
        partitions = try env.partitions()
        cleanStream = try env.endpoints("WATERLINE_CLEAN_STREAM")
        rpcBind = try env.endpoint("WATERLINE_MODEL_RPC_BIND", default: Self.defaultRPCBind)
        scorePubBind = try env.endpoint("WATERLINE_SCORE_PUB_BIND", default: "tcp://0.0.0.0:7022")
        let permille = try env.int("WATERLINE_ANOMALY_THRESHOLD_PERMILLE", default: 1500, range: 100...100_000)
        anomalyThreshold = Double(permille) / 1000
        warmupDays = try env.int("WATERLINE_WARMUP_DAYS", default: 8, range: 0...60)
    }
}
