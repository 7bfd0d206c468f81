import Mongo
import SwiftProtobuf

extension SwiftProtobuf.Message {
    /// The message as stored: its JSON form with proto field names (snake_case), keyed
    /// by `id`. Callers add the fields they query as plain values (labels, numbers).
    public func storedDocument(id: String) throws -> Document {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        var d = try Document(json: try jsonString(options: options))
        d["_id"] = .string(id)
        return d
    }

    /// The message from a stored document (its `_id` and unknown fields ignored).
    public init(storedDocument d: Document) throws {
        var copy = d
        copy["_id"] = nil
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        try self.init(jsonString: copy.json, options: options)
    }
}
