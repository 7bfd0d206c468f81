import CMongoC

extension Document {
    /// Parses a JSON object (MongoDB extended JSON accepted) into a document.
    public init(json: String) throws(MongoError) {
        var error = bson_error_t()
        let bytes = Array(json.utf8)
        let parsed = bytes.withUnsafeBufferPointer { bson_new_from_json($0.baseAddress, Int($0.count), &error) }
        guard let parsed else { throw MongoError(error, operation: "parse JSON") }
        defer { bson_destroy(parsed) }
        self.init(bson: parsed)
    }

    /// The document as relaxed extended JSON (plain numbers and strings where possible).
    public var json: String {
        withBSON { bson in
            var length = 0
            guard let text = bson_as_relaxed_extended_json(bson, &length) else { return "{}" }
            defer { bson_free(text) }
            return String(decoding: UnsafeRawBufferPointer(start: text, count: length), as: UTF8.self)
        }
    }
}
