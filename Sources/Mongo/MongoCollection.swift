import CMongoC

/// One collection. Every method runs off the cooperative pool (see ``MongoClient``).
public struct MongoCollection: Sendable {
    public let client: MongoClient
    public let database: String
    public let name: String
    /// Ask for `{w: "majority"}` on writes (use on replica sets for acknowledged data).
    public var majorityWrites = false

    init(client: MongoClient, database: String, name: String) {
        self.client = client
        self.database = database
        self.name = name
    }

    public func withMajorityWrites(_ on: Bool) -> MongoCollection {
        var copy = self
        copy.majorityWrites = on
        return copy
    }

    private func withCollection<T: Sendable>(
        _ body: @escaping @Sendable (OpaquePointer) throws(MongoError) -> T
    ) async throws(MongoError) -> T {
        let database = self.database, name = self.name
        return try await client.withClient { client throws(MongoError) in
            let collection = mongoc_client_get_collection(client, database, name)!
            defer { mongoc_collection_destroy(collection) }
            return try body(collection)
        }
    }

    // MARK: Writes

    /// One operation of a bulk write.
    public enum WriteModel: Sendable {
        case insert(Document)
        case replaceOne(filter: Document, replacement: Document, upsert: Bool)
        case updateOne(filter: Document, update: Document, upsert: Bool)
        case updateMany(filter: Document, update: Document)
        case deleteMany(filter: Document)
    }

    /// Inserts documents. With `ordered: false` every document is tried; duplicates of
    /// a unique key are reported in ``WriteResult/duplicateIndices``.
    public func insertMany(_ documents: [Document], ordered: Bool = false) async throws(MongoError) -> WriteResult {
        try await bulkWrite(documents.map { .insert($0) }, ordered: ordered)
    }

    /// Runs a bulk write. Throws only when the whole operation failed (no server,
    /// refused command); per-document failures come back in the result.
    public func bulkWrite(_ models: [WriteModel], ordered: Bool = false) async throws(MongoError) -> WriteResult {
        guard !models.isEmpty else { return WriteResult() }
        var options: Document = ["ordered": .bool(ordered)]
        if majorityWrites { options["writeConcern"] = ["w": "majority"] }
        let opts = options
        let operation = "bulkWrite \(name)"
        return try await withCollection { collection throws(MongoError) in
            let bulk = opts.withBSON { mongoc_collection_create_bulk_operation_with_opts(collection, $0) }!
            defer { mongoc_bulk_operation_destroy(bulk) }
            var error = bson_error_t()
            for model in models {
                let ok: Bool
                switch model {
                case .insert(let doc):
                    ok = doc.withBSON { mongoc_bulk_operation_insert_with_opts(bulk, $0, nil, &error) }
                case .replaceOne(let filter, let replacement, let upsert):
                    let o: Document = ["upsert": .bool(upsert)]
                    ok = filter.withBSON { f in
                        replacement.withBSON { r in
                            o.withBSON { mongoc_bulk_operation_replace_one_with_opts(bulk, f, r, $0, &error) }
                        }
                    }
                case .updateOne(let filter, let update, let upsert):
                    let o: Document = ["upsert": .bool(upsert)]
                    ok = filter.withBSON { f in
                        update.withBSON { u in
                            o.withBSON { mongoc_bulk_operation_update_one_with_opts(bulk, f, u, $0, &error) }
                        }
                    }
                case .updateMany(let filter, let update):
                    ok = filter.withBSON { f in update.withBSON { mongoc_bulk_operation_update_many_with_opts(bulk, f, $0, nil, &error) } }
                case .deleteMany(let filter):
                    ok = filter.withBSON { mongoc_bulk_operation_remove_many_with_opts(bulk, $0, nil, &error) }
                }
                guard ok else { throw MongoError(error, operation: operation) }
            }
            let reply = wl_bson_alloc()!
            defer { wl_bson_release(reply) }
            let serverID = mongoc_bulk_operation_execute(bulk, reply, &error)
            let result = WriteResult(reply: Document(bson: reply))
            if serverID == 0 && result.duplicateIndices.isEmpty && result.errors.isEmpty {
                throw MongoError(error, operation: operation)
            }
            return result
        }
    }

    /// Finds one document matching `filter`, applies `update`, returns it after the update.
    public func findOneAndUpdate(filter: Document, update: Document, upsert: Bool = false) async throws(MongoError) -> Document? {
        var command: Document = [
            "findAndModify": .string(name), "query": .document(filter), "update": .document(update),
            "new": true, "upsert": .bool(upsert),
        ]
        if majorityWrites { command["writeConcern"] = ["w": "majority"] }
        let reply = try await client.command(command, database: database)
        return reply["value"]?.documentValue
    }

    // MARK: Reads

    /// Finds documents. `sort` and `projection` are MongoDB specifications.
    public func find(
        _ filter: Document = [:], sort: Document? = nil, limit: Int? = nil, projection: Document? = nil
    ) async throws(MongoError) -> [Document] {
        var options = Document()
        if let sort { options["sort"] = .document(sort) }
        if let limit, limit > 0 { options["limit"] = .int64(Int64(limit)) }
        if let projection { options["projection"] = .document(projection) }
        let opts = options
        let operation = "find \(name)"
        return try await withCollection { collection throws(MongoError) in
            let cursor = filter.withBSON { f in
                opts.withBSON { mongoc_collection_find_with_opts(collection, f, $0, nil) }
            }!
            return try drain(cursor, operation: operation)
        }
    }

    public func findOne(_ filter: Document, sort: Document? = nil) async throws(MongoError) -> Document? {
        try await find(filter, sort: sort, limit: 1).first
    }

    /// Runs an aggregation pipeline.
    public func aggregate(_ pipeline: [Document]) async throws(MongoError) -> [Document] {
        let spec: Document = ["pipeline": .array(pipeline.map { .document($0) })]
        let operation = "aggregate \(name)"
        return try await withCollection { collection throws(MongoError) in
            let cursor = spec.withBSON { mongoc_collection_aggregate(collection, MONGOC_QUERY_NONE, $0, nil, nil) }!
            return try drain(cursor, operation: operation)
        }
    }

    public func count(_ filter: Document = [:]) async throws(MongoError) -> Int {
        let operation = "count \(name)"
        return try await withCollection { collection throws(MongoError) in
            var error = bson_error_t()
            let n = filter.withBSON { mongoc_collection_count_documents(collection, $0, nil, nil, nil, &error) }
            guard n >= 0 else { throw MongoError(error, operation: operation) }
            return Int(n)
        }
    }

    // MARK: Schema

    /// Creates an index if it does not exist.
    public func createIndex(_ keys: Document, name indexName: String, unique: Bool = false) async throws(MongoError) {
        let index: Document = ["key": .document(keys), "name": .string(indexName), "unique": .bool(unique)]
        try await client.command(["createIndexes": .string(name), "indexes": [.document(index)]], database: database)
    }

    public func drop() async throws(MongoError) {
        do {
            try await client.command(["drop": .string(name)], database: database)
        } catch where error.message.contains("ns not found") || error.code == 26 {
            return
        }
    }
}

private func drain(_ cursor: OpaquePointer, operation: String) throws(MongoError) -> [Document] {
    defer { mongoc_cursor_destroy(cursor) }
    var documents: [Document] = []
    var pointer: OpaquePointer?
    while mongoc_cursor_next(cursor, &pointer) {
        if let pointer { documents.append(Document(bson: pointer)) }
    }
    var error = bson_error_t()
    if mongoc_cursor_error(cursor, &error) { throw MongoError(error, operation: operation) }
    return documents
}
