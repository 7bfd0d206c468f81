import CMongoC
import Foundation
import Synchronization

/// `mongoc_init()` must run exactly once per process, before any other call.
/// It also routes libmongoc's own log to standard error, warnings and worse only (its
/// default handler prints debug chatter about server monitoring).
private let mongocInitialized: Void = {
    mongoc_init()
    mongoc_log_set_handler({ level, domain, message, _ in
        guard level.rawValue <= MONGOC_LOG_LEVEL_WARNING.rawValue, let domain, let message else { return }
        FileHandle.standardError.write(Data("libmongoc [\(String(cString: domain))]: \(String(cString: message))\n".utf8))
    }, nil)
}()

/// A pool of libmongoc clients for one deployment. Every operation pops a client,
/// runs the blocking libmongoc call on a dedicated thread (see `BlockingPool`) and
/// pushes the client back.
public final class MongoClient: Sendable {
    // @unchecked Sendable box: mongoc_client_pool_t is documented thread-safe; the
    // pointer is only destroyed in close(), guarded by `closed`.
    private final class PoolHandle: @unchecked Sendable {
        let pointer: OpaquePointer
        init(_ pointer: OpaquePointer) { self.pointer = pointer }
    }

    private let pool: PoolHandle
    private let blocking: BlockingPool
    private let threads: Int
    private let closed = Mutex(false)
    /// Database used by ``collection(_:)``.
    public let databaseName: String

    /// - Parameters:
    ///   - uri: a MongoDB connection string.
    ///   - threads: blocking threads, which is also the number of concurrent operations.
    public init(uri: String, database: String, appName: String = "waterline", threads: Int = 4) throws(MongoError) {
        _ = mongocInitialized
        var error = bson_error_t()
        guard let parsed = mongoc_uri_new_with_error(uri, &error) else {
            throw MongoError(error, operation: "parse URI '\(uri)'", kind: .invalidURI)
        }
        defer { mongoc_uri_destroy(parsed) }
        if mongoc_uri_get_option_as_int32(parsed, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 0) == 0 {
            mongoc_uri_set_option_as_int32(parsed, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 5000)
        }
        guard let pool = mongoc_client_pool_new_with_error(parsed, &error) else {
            throw MongoError(error, operation: "create client pool")
        }
        mongoc_client_pool_set_error_api(pool, Int32(MONGOC_ERROR_API_VERSION_2))
        mongoc_client_pool_set_appname(pool, appName)
        mongoc_client_pool_max_size(pool, UInt32(threads))
        self.pool = PoolHandle(pool)
        self.threads = threads
        self.databaseName = database
        self.blocking = BlockingPool(threads: threads, name: "mongo")
    }

    public func collection(_ name: String) -> MongoCollection {
        MongoCollection(client: self, database: databaseName, name: name)
    }

    /// Runs `body` with a client from the pool, on a blocking thread.
    func withClient<T: Sendable>(
        _ body: @escaping @Sendable (OpaquePointer) throws(MongoError) -> T
    ) async throws(MongoError) -> T {
        let pool = self.pool
        do {
            return try await blocking.run {
                let client = mongoc_client_pool_pop(pool.pointer)!
                defer { mongoc_client_pool_push(pool.pointer, client) }
                return try body(client)
            }
        } catch let error as MongoError {
            throw error
        } catch {
            throw MongoError(kind: .other, message: "\(error)", operation: "withClient")
        }
    }

    /// Runs a database command and returns the server's reply.
    @discardableResult
    public func command(_ command: Document, database: String? = nil) async throws(MongoError) -> Document {
        let db = database ?? databaseName
        return try await withClient { client throws(MongoError) in
            let reply = wl_bson_alloc()!
            defer { wl_bson_release(reply) }
            var error = bson_error_t()
            let ok = command.withBSON { mongoc_client_command_simple(client, db, $0, nil, reply, &error) }
            guard ok else { throw MongoError(error, operation: "command \(command.keys.first ?? "")") }
            return Document(bson: reply)
        }
    }

    /// Checks that the server answers.
    public func ping() async throws(MongoError) {
        try await command(["ping": 1], database: "admin")
    }

    /// True when the server is a member of a replica set, or a `mongos` of a sharded
    /// cluster (whose shards are replica sets): majority writes apply.
    public func isReplicaSet() async throws(MongoError) -> Bool {
        let hello = try await command(["hello": 1], database: "admin")
        return hello["setName"]?.stringValue != nil || hello["msg"]?.stringValue == "isdbgrid"
    }

    /// Waits for queued operations, then frees the pool and its connections. Call at
    /// shutdown, outside any database operation; later calls do nothing.
    public func close() {
        let already = closed.withLock { value -> Bool in
            defer { value = true }
            return value
        }
        guard !already else { return }
        blocking.stop()
        mongoc_client_pool_destroy(pool.pointer)
    }
}
