import WaterlineKit

/// The model service's settings (services/model/README.md).
public struct ModelConfig: Sendable {
    public var mongoURI: String
    public var database: String
    public var instanceID: String
    public var partitions: Int
    public var leaseTTLMs: Int64
    public var cleanStream: [String]
    public var rpcBind: String
    public var scorePubBind: String
    /// Score batches queued per subscriber that does not keep up; beyond, the stream
    /// drops for it (it sees the sequence gap and replays from MongoDB).
    public var scorePubHighWaterMark: Int
    /// |score| above which a point is anomalous (1 = the 90% interval's edge).
    public var anomalyThreshold: Double
    /// At most how often a sensor's newest hour of scores is rolled up.
    public var rollupInterval: Duration
    /// Days of clean history used to warm the profiles at start.
    public var warmupDays: Int
    /// How often the registry is checked for a model promoted by another replica.
    public var registryRefreshSeconds: Int
    /// When training runs start by themselves.
    public var trainSchedule: TrainingSchedule
    /// The training runs' settings: history, held-out days, DeepAR's size and epochs.
    public var training: TrainingOrchestrator.Settings

    public static let defaultRPCBind = "tcp://0.0.0.0:7021"

    public init(_ env: Environment) throws(ConfigError) {
        mongoURI = try env.mongoURI()
        database = env.mongoDatabase
        instanceID = env.instanceID
        partitions = try env.partitions()
        leaseTTLMs = try env.leaseTTLMs()
        cleanStream = try env.endpoints("WATERLINE_CLEAN_STREAM")
        rpcBind = try env.endpoint("WATERLINE_MODEL_RPC_BIND", default: Self.defaultRPCBind)
        scorePubBind = try env.endpoint("WATERLINE_SCORE_PUB_BIND", default: "tcp://0.0.0.0:7022")
        scorePubHighWaterMark = try env.int("WATERLINE_SCORE_PUB_HWM", default: 100_000, range: 1...10_000_000)
        let permille = try env.int("WATERLINE_ANOMALY_THRESHOLD_PERMILLE", default: 1500, range: 100...100_000)
        anomalyThreshold = Double(permille) / 1000
        rollupInterval = try env.rollupInterval()
        // The baseline's four weeks and one to settle (AnomalyScorer.warm): a partition
        // taken over or restarted then scores as if the model had never stopped.
        warmupDays = try env.int("WATERLINE_WARMUP_DAYS", default: 35, range: 0...60)
        registryRefreshSeconds = try env.int("WATERLINE_MODEL_REFRESH_S", default: 30, range: 1...86_400)
        let schedule = env.string("WATERLINE_TRAIN_SCHEDULE", default: "daily 02:00")
        guard let parsed = TrainingSchedule(schedule) else {
            throw ConfigError(variable: "WATERLINE_TRAIN_SCHEDULE", reason: "is '\(schedule)', not 'daily HH:MM', 'every N(m|h|d)' or 'off'")
        }
        trainSchedule = parsed
        training = TrainingOrchestrator.Settings()
        training.historyDays = try env.int("WATERLINE_TRAIN_HISTORY_DAYS", default: 28, range: 2...365)
        training.holdoutDays = try env.int("WATERLINE_TRAIN_HOLDOUT_DAYS", default: 2, range: 1...30)
        training.config.maxEpochs = try env.int("WATERLINE_TRAIN_MAX_EPOCHS", default: 30, range: 1...1000)
        training.config.batchesPerEpoch = try env.int("WATERLINE_TRAIN_BATCHES_PER_EPOCH", default: 50, range: 1...10_000)
        training.config.hiddenSize = try env.int("WATERLINE_TRAIN_HIDDEN_SIZE", default: 40, range: 2...512)
        let threads = try env.int("WATERLINE_TRAIN_THREADS", default: 0, range: 0...256)
        training.threads = threads == 0 ? nil : threads
        training.config.layers = try env.int("WATERLINE_TRAIN_LAYERS", default: 2, range: 1...4)
    }
}
