import Foundation

/// Bounds how many real clusters (a database and five service processes each) run at
/// once in this test process. Swift Testing runs suites in parallel, and on a two-core
/// machine a dozen clusters at once starve each other until calls time out: the tests
/// would measure the machine, not the behaviour. A test waits here for a slot instead.
/// `WATERLINE_TEST_CLUSTERS` sets the count (default 2).
public actor ClusterSlots {
    public static let shared = ClusterSlots(
        count: Int(ProcessInfo.processInfo.environment["WATERLINE_TEST_CLUSTERS"] ?? "") ?? 2)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    public init(count: Int) {
        free = max(1, count)
    }

    /// Waits for a free slot and takes it.
    public func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Gives a slot back (to the longest waiter, if any).
    public func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
