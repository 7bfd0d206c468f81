import WaterlineKit

/// The ingest service's settings, from environment variables (services/ingest/README.md).
public struct IngestConfig: Sendable {
    public var mongoURI: String
    public var database: String
    public var instanceID: String
    public var partitions: Int
    public var rpcBind: String
    public var pullBind: String
    public var rawPubBind: String
    public var maxFutureMs: Int64
    public var maxBatch: Int
    /// Readings that may wait for the database at once; more are refused (RESOURCE_EXHAUSTED).
    public var maxPendingReadings: Int
    /// A write the database has not confirmed by then is answered UNAVAILABLE.
    public var writeTimeoutMs: Int
    /// Writes of readings run at once against the database; more wait in order.
    public var writers: Int
    /// A batch whose estimated wait for the database is longer is refused with
    /// RESOURCE_EXHAUSTED and a retry hint instead of queued.
    public var maxQueueMs: Int
    /// Raw readings whose time and arrival are both older than this are dropped (0: kept
    /// for ever); clean points, scores and rollups are kept.
    public var rawRetentionS: Int
    /// How often the retention sweep runs.
    public var retentionSweepS: Int

    public static let defaultRPCBind = "tcp://0.0.0.0:7001"

    public init(_ env: Environment) throws(ConfigError) {
        mongoURI = try env.mongoURI()
        database = env.mongoDatabase
        instanceID = env.instanceID
        partitions = try env.partitions()
        rpcBind = try env.endpoint("WATERLINE_INGEST_RPC_BIND", default: Self.defaultRPCBind)
        pullBind = try env.endpoint("WATERLINE_INGEST_PULL_BIND", default: "tcp://0.0.0.0:7002")
        rawPubBind = try env.endpoint("WATERLINE_RAW_PUB_BIND", default: "tcp://0.0.0.0:7003")
        maxFutureMs = Int64(try env.int("WATERLINE_MAX_FUTURE_MS", default: 86_400_000, range: 0...Int.max))
        maxBatch = try env.int("WATERLINE_MAX_BATCH", default: 10_000, range: 1...1_000_000)
        maxPendingReadings = try env.int("WATERLINE_INGEST_MAX_PENDING", default: 50_000, range: 1...10_000_000)
        writeTimeoutMs = try env.int("WATERLINE_INGEST_WRITE_TIMEOUT_MS", default: 10_000, range: 100...600_000)
        writers = try env.int("WATERLINE_INGEST_WRITERS", default: 2, range: 1...64)
        maxQueueMs = try env.int("WATERLINE_INGEST_MAX_QUEUE_MS", default: 5_000, range: 10...600_000)
        rawRetentionS = try env.int("WATERLINE_RAW_RETENTION_S", default: 0, range: 0...Int(Int32.max))
        retentionSweepS = try env.int("WATERLINE_RETENTION_SWEEP_S", default: 3_600, range: 1...86_400)
    }
}
