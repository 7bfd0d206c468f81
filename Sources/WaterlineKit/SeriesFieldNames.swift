import Mongo

/// The short names the points of a bucket are stored under. A point is stored without
/// `_id`, `sensor_id` and `ts_ms` (its bucket and offset say them), so its field names are
/// most of its size: `received_ms` takes 12 bytes per point, `r` 2. Readers get the long
/// names back (``SeriesBucket/pointDocuments(from:to:)``); fields not listed keep theirs.
enum SeriesFieldNames {
    static let short: [String: String] = [
        "value": "v", "received_ms": "r", "trace_id": "t", "conflict": "c", "unit": "u", "superseded": "s",
        "raw_value": "w", "smoothed": "m", "seen_through_ms": "h", "flags": "f", "revision": "e",
        "forecast_mean": "fm", "lower": "lo", "upper": "up", "anomaly_score": "a", "anomalous": "an",
        "model_version": "mv", "zone": "z", "warmed_up": "wu", "corrected": "co", "first": "fv",
    ]
    static let long: [String: String] = Dictionary(uniqueKeysWithValues: short.map { ($1, $0) })

    static func compact(_ point: Document) -> Document { rename(point, short) }
    static func expand(_ point: Document) -> Document { rename(point, long) }

    /// Renames the keys of a document and of the documents inside it (in arrays too).
    private static func rename(_ document: Document, _ names: [String: String]) -> Document {
        Document(document.fields.map { (names[$0.key] ?? $0.key, rename($0.value, names)) })
    }

    private static func rename(_ value: BSON, _ names: [String: String]) -> BSON {
        switch value {
        case .document(let d): .document(rename(d, names))
        case .array(let items): .array(items.map { rename($0, names) })
        default: value
        }
    }
}
