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
}

/// The `_id` of a point of a sensor's series: `<sensor_id>|<ts_ms, 13 digits>`.
///
/// Keying by `_id` makes storage idempotent by (sensor_id, ts_ms) with the unique index
/// every collection has anyway: a resent batch, or a replay after a restart, hits duplicate
/// keys instead of storing twice, so there is never more than one document per point.
/// Zero-padding keeps the string order
/// equal to time order. (A
/// MongoDB time-series collection cannot hold a unique index, so it cannot give this.)
/// Sensor ids may not contain `|` (ingest rejects them).
public func seriesKey(_ sensorID: String, _ tsMs: Int64) -> String {
    let digits = String(max(0, tsMs))
    return sensorID + "|" + String(repeating: "0", count: max(0, 13 - digits.count)) + digits
}

/// The filter selecting a sensor's points in [from, to], served by the `sensor_ts`
/// index (sensor_id, ts_ms) every series collection has. (The `_id` range would do on
/// MongoDB, but a compound index is the usual layout and SecantusDB, which tests and
/// local runs use, scans a range of `_id` instead of seeking: 40 times slower on a
/// 5-day scenario.)
public func seriesRange(_ sensorID: String, from: Int64, to: Int64) -> Document {
    ["sensor_id": .string(sensorID), "ts_ms": ["$gte": .int64(from), "$lte": .int64(to)]]
}

/// Time order within one sensor's series (the `sensor_ts` index's order).
public let seriesOrder: Document = ["ts_ms": 1]
/// Newest first.
public let seriesNewestFirst: Document = ["ts_ms": -1]

/// Creates the indexes the services rely on. Safe to call at every start.
public func ensureIndexes(_ client: MongoClient) async throws(MongoError) {
    try await client.collection(Collections.events).createIndex(["zone": 1, "start_ms": -1], name: "zone_start")
    try await client.collection(Collections.events).createIndex(["updated_ms": 1], name: "updated")
    try await client.collection(Collections.events).createIndex(["start_ms": -1], name: "start")
    try await client.collection(Collections.deadLetters).createIndex(["received_ms": -1], name: "received")
    // Every series is read by sensor and time range (`seriesRange`).
    for collection in [Collections.readings, Collections.clean, Collections.scores] {
        try await client.collection(collection).createIndex(["sensor_id": 1, "ts_ms": 1], name: "sensor_ts")
    }
    // Preprocess finds readings that arrived while it was down for slots it had cleaned.
    try await client.collection(Collections.readings).createIndex(["sensor_id": 1, "received_ms": 1], name: "sensor_received")
}

extension MongoCollection {
    /// The points of one sensor's series a `SeriesRequest` asks for, in time order
    /// (`to_ms` 0: no upper bound; `limit` 0: 10,000, at most 100,000).
    public func findSeries(_ request: SeriesRequest) async throws(MongoError) -> [Document] {
        try await find(
            seriesRange(request.sensorID, from: request.fromMs, to: request.toMs == 0 ? Int64.max / 2 : request.toMs),
            sort: seriesOrder, limit: Int(request.limit == 0 ? 10_000 : min(request.limit, 100_000)))
    }
}
