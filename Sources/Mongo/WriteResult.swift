/// The outcome of a bulk write. Duplicate keys are reported by index, never dropped
/// silently, so callers can tell "stored now" from "was already stored".
public struct WriteResult: Sendable, Equatable {
    public struct WriteError: Sendable, Equatable {
        /// Position of the operation in the submitted list.
        public let index: Int
        public let code: Int
        public let message: String
    }

    public var inserted = 0
    public var matched = 0
    public var modified = 0
    public var upserted = 0
    public var deleted = 0
    /// Indices of operations that hit an existing unique key (E11000).
    public var duplicateIndices: [Int] = []
    /// Other per-operation failures.
    public var errors: [WriteError] = []

    public init() {}

    init(reply: Document) {
        inserted = Int(reply["nInserted"]?.int64Value ?? 0)
        matched = Int(reply["nMatched"]?.int64Value ?? 0)
        modified = Int(reply["nModified"]?.int64Value ?? 0)
        upserted = Int(reply["nUpserted"]?.int64Value ?? 0)
        deleted = Int(reply["nRemoved"]?.int64Value ?? 0)
        for item in reply["writeErrors"]?.arrayValue ?? [] {
            guard let doc = item.documentValue else { continue }
            let index = Int(doc["index"]?.int64Value ?? -1)
            let code = Int(doc["code"]?.int64Value ?? 0)
            if code == 11000 {
                duplicateIndices.append(index)
            } else {
                errors.append(WriteError(index: index, code: code, message: doc["errmsg"]?.stringValue ?? ""))
            }
        }
    }

    /// This result, or a write error for its first per-operation failure (duplicates are
    /// not failures): for writes that count only when every operation stood.
    public func checked(_ operation: String) throws(MongoError) -> WriteResult {
        if let failure = errors.first { throw MongoError(kind: .write, message: failure.message, operation: operation) }
        return self
    }
}
