import WaterlineKit

/// The preprocess service's settings (services/preprocess/README.md).
public struct PreprocessConfig: Sendable {
    public var mongoURI: String
    public var database: String
    public var instanceID: String
    public var partitions: Int
    public var leaseTTLMs: Int64
    public var rawStream: [String]
    public var rpcBind: String
    public var cleanPubBind: String
    public var maxFillSteps: Int
    /// A sensor with held readings and no new input for this long (wall clock) is flushed.
    public var idleFlushMs: Int
    /// At most how often a sensor's newest hour of clean points is rolled up.
    public var rollupInterval: Duration
    /// How far out of step (data time) sensors may arrive: a sensor whose newest reading
    /// is this much (plus its own allowed lateness) older than the stream's is flushed.
    public var streamLatenessMs: Int

    public static let defaultRPCBind = "tcp://0.0.0.0:7011"

    public init(_ env: Environment) throws(ConfigError) {
        mongoURI = try env.mongoURI()
        database = env.mongoDatabase
        instanceID = env.instanceID
        partitions = try env.partitions()
        leaseTTLMs = try env.leaseTTLMs()
        rawStream = try env.endpoints("WATERLINE_RAW_STREAM")
        rpcBind = try env.endpoint("WATERLINE_PREPROCESS_RPC_BIND", default: Self.defaultRPCBind)
        cleanPubBind = try env.endpoint("WATERLINE_CLEAN_PUB_BIND", default: "tcp://0.0.0.0:7012")
        maxFillSteps = try env.int("WATERLINE_MAX_FILL_STEPS", default: 5, range: 0...1000)
        idleFlushMs = try env.int("WATERLINE_IDLE_FLUSH_MS", default: 10_000, range: 100...3_600_000)
        rollupInterval = try env.rollupInterval()
        streamLatenessMs = try env.int("WATERLINE_STREAM_LATENESS_MS", default: 900_000, range: 0...86_400_000)
    }
}
