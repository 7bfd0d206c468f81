import Foundation
import WaterlineBus

/// A fixed number of slots for PULL messages between the socket's thread and the
/// loop that stores them. The socket thread blocks for a slot (it owns only the PULL
/// socket), so a stalled database holds messages in libzmq and then in the senders,
/// never in an unbounded queue here.
final class PullSlots: Sendable {
    private let semaphore: DispatchSemaphore
    private let closed = Locked(false)

    init(count: Int) {
        semaphore = DispatchSemaphore(value: count)
    }

    var isClosed: Bool { closed.value }

    /// Waits for a slot; false once closed (shutting down: the message is not taken).
    func acquire() -> Bool {
        while !closed.value {
            if semaphore.wait(timeout: .now() + .milliseconds(100)) == .success { return true }
        }
        return false
    }

    func release() { semaphore.signal() }

    func close() { closed.withLock { $0 = true } }
}
