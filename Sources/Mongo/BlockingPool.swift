import Foundation

/// A small pool of dedicated threads for blocking calls (libmongoc is synchronous),
/// so they never occupy Swift's cooperative pool: a blocked cooperative thread can
/// starve the very tasks that would unblock it.
final class BlockingPool: @unchecked Sendable {
    // @unchecked: `jobs` and `stopped` are only touched with `condition` locked.
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false
    private var running = 0
    private let condition = NSCondition()

    init(threads: Int, name: String) {
        running = max(1, threads)
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in self.work() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            if jobs.isEmpty {  // stopped and drained
                running -= 1
                condition.broadcast()
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }

    /// Runs `body` on a pool thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            let accepted = !stopped
            if accepted {
                jobs.append { continuation.resume(with: Result { try body() }) }
                condition.signal()
            }
            condition.unlock()
            if !accepted {
                continuation.resume(throwing: MongoError(kind: .other, message: "client is closed", operation: "run"))
            }
        }
    }

    /// Lets queued jobs finish, ends the threads and waits until they have ended.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }
}
