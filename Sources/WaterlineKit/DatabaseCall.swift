import Mongo
import WaterlineBus

/// Runs an RPC handler's database work: a database failure reaches the caller as
/// UNAVAILABLE (worth retrying); any other error passes through unchanged.
public func databaseCall<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    do { return try await body() } catch let error as MongoError {
        throw RPCError.unavailable("database unavailable: \(error.message)")
    }
}

/// Runs a stage's idempotent write (keyed inserts, replacements by key) again after a
/// database error, a few times with growing pauses: a write that failed half done is
/// completed rather than left with a hole that a later write would step past. After the
/// last attempt the error is thrown (the stage's partitions are then replayed).
public func retryingWrite<T: Sendable>(
    pauses: [Duration] = [.milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2)],
    onRetry: (MongoError) -> Void = { _ in }, _ body: () async throws(MongoError) -> T
) async throws(MongoError) -> T {
    var attempt = 0
    while true {
        do { return try await body() } catch {
            guard attempt < pauses.count else { throw error }
            onRetry(error)
            try? await Task.sleep(for: pauses[attempt])
            attempt += 1
        }
    }
}
