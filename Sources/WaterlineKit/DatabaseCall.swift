import Mongo
import WaterlineBus

/// Runs an RPC handler's database work: a database failure reaches the caller as
/// UNAVAILABLE (worth retrying); any other error passes through unchanged.
public func databaseCall<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as MongoError {
        throw RPCError.unavailable("database unavailable: \(error.message)")
    }
}
