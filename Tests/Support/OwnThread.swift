import Foundation

/// Runs CPU-heavy synchronous work on a thread of its own, so a test does not hold one of
/// the cooperative pool's few threads (on two cores, two such tests would starve every
/// other test's tasks, RPC servers included).
public func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
