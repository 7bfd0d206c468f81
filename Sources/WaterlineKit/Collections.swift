import Mongo
import WaterlineProto

/// Collection names in the shared database.
public enum Collections {
    public static let readings = "readings"
    public static let clean = "clean"
    /// The newest clean point of each sensor (keyed by sensor id): current values at
    /// the cost of one lookup, whatever the history's size (the public levels page).
    public static let latestClean = "latest_clean"
    public static let scores = "scores"
    /// Chart summaries of `clean` and `scores` per sensor and day (``SeriesRollup``).
    public static let rollups = "rollups"
    public static let events = "events"
    public static let sensors = "sensors"
    public static let deadLetters = "dead_letters"
    /// The model registry: trained models, their metrics, artifacts and status.
    public static let models = "models"
    /// One record per training run: trigger, window, progress, outcome.
    public static let trainingRuns = "training_runs"
    /// What operators confirmed events were (leak, sensor fault, false positive), keyed by
    /// event id, with the event's type, zone, time span and sensors: labels for training.
    public static let eventLabels = "event_labels"
    /// Accounts of the gateway: name, role, admin flag, bcrypt hash, disabled flag.
    public static let users = "users"
    /// Leak reports filed by the public, with what they were matched to.
    public static let reports = "reports"
    /// Run-time settings, one document per owner (`_id: "insight"`: the tariff).
    public static let settings = "settings"
    /// Partition leases and live members of each replicated service (PartitionLeases).
    public static let leases = "leases"
    /// Insight's saved detector state, one document per zone (`_id`: the zone).
    public static let insightCheckpoints = "insight_checkpoints"
    /// History imports started over REST (gateway): file, status and progress.
    public static let imports = "imports"
}

/// The key of a point of a sensor's series, `<sensor_id>|<ts_ms, 13 digits>`, and of the
/// bucket starting at a time (``SeriesBucket``): the bucket's `_id` makes it unique per
/// sensor and hour, as a MongoDB time-series collection (which holds no unique index)
/// could not. Zero-padding keeps the string order equal to time order. Sensor ids may
/// not contain `|` (ingest rejects them).
public func seriesKey(_ sensorID: String, _ tsMs: Int64) -> String {
    let digits = String(max(0, tsMs))
    return sensorID + "|" + String(repeating: "0", count: max(0, 13 - digits.count)) + digits
}

/// Creates the indexes the services rely on. Safe to call at every start.
public func ensureIndexes(_ client: MongoClient) async throws(MongoError) {
    try await client.collection(Collections.events).createIndex(["zone": 1, "start_ms": -1], name: "zone_start")
    try await client.collection(Collections.events).createIndex(["updated_ms": 1], name: "updated")
    try await client.collection(Collections.events).createIndex(["start_ms": -1], name: "start")
    try await client.collection(Collections.deadLetters).createIndex(["received_ms": -1], name: "received")
    // Every series is read by sensor and time range, and a bucket's segments by its key
    // (`SeriesStore`).
    for collection in [Collections.readings, Collections.clean, Collections.scores] {
        try await client.collection(collection).createIndex(["sensor_id": 1, "start_ms": 1], name: "sensor_start")
        try await client.collection(collection).createIndex(["bucket": 1], name: "bucket")
    }
}
