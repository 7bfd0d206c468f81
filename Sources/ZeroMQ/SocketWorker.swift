import CZeroMQ
import Foundation

/// Owns one ZeroMQ socket on a dedicated thread, so that no libzmq call ever blocks
/// Swift's cooperative pool and the socket has exactly one user.
///
/// Other threads and tasks hand outgoing messages to ``send(_:)``; they are queued
/// and written by the owner thread. Incoming messages are passed to `onReceive`, which
/// runs on the owner thread and must return quickly (yield into a stream, resume a
/// continuation). When a peer cannot take more (high-water mark), outgoing messages
/// wait in the queue rather than being dropped — except on PUB sockets, where libzmq
/// drops for slow subscribers by design.
public final class SocketWorker: Sendable {
    public typealias Frames = ZMQSocket.Frames

    private struct State {
        var outbox: [Frames] = []
        var controls: [@Sendable (ZMQSocket) -> Void] = []
        var stopping = false
        var sentCount: UInt64 = 0
        var receivedCount: UInt64 = 0
    }

    public let name: String
    /// The endpoint bound by the configure step, if it bound one.
    public let boundEndpoint: String
    private let state = Locked(State())
    private let wake: WakeSignal
    private let finished = Locked<[CheckedContinuation<Void, Never>]?>([])
    private let maxQueued: Int

    /// Starts the owner thread, creates the socket on it and runs `configure` there
    /// (bind, connect, options). Throws what `configure` throws.
    ///
    /// - Parameters:
    ///   - tickMs: when set, `onTick` runs on the owner thread at least this often.
    ///   - maxQueued: the outbox bound; ``send(_:)`` reports false beyond it.
    public init(
        name: String,
        context: ZMQContext = .shared,
        type: SocketType,
        maxQueued: Int = 100_000,
        tickMs: Int = -1,
        configure: @escaping @Sendable (ZMQSocket) throws -> Void,
        onReceive: @escaping @Sendable (Frames) -> Void = { _ in },
        onTick: @escaping @Sendable () -> Void = {}
    ) throws {
        self.name = name
        self.maxQueued = maxQueued
        let wake = try WakeSignal()
        self.wake = wake
        let ready = DispatchSemaphore(value: 0)
        let startup = Locked<Result<String, any Error>>(.success(""))
        let thread = Thread { [state, finished] in
            let socket: ZMQSocket
            do {
                socket = try ZMQSocket(context: context, type: type)
                do {
                    try configure(socket)
                } catch {
                    socket.close()
                    throw error
                }
                let endpoint = socket.lastEndpoint
                startup.withLock { $0 = .success(endpoint) }
            } catch {
                startup.withLock { $0 = .failure(error) }
                ready.signal()
                return
            }
            ready.signal()
            SocketWorker.runLoop(
                socket: socket, wake: wake, state: state, tickMs: tickMs,
                onReceive: onReceive, onTick: onTick)
            socket.close(lingerMs: 200)
            let waiters = finished.withLock { waiters -> [CheckedContinuation<Void, Never>] in
                let list = waiters ?? []
                waiters = nil
                return list
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = "zmq-\(name)"
        thread.start()
        ready.wait()
        boundEndpoint = try startup.withLock { try $0.get() }
    }

    /// Queues a message for the owner thread to send. Returns false when the worker
    /// is stopping or the queue is full; the caller decides whether to retry or fail.
    @discardableResult
    public func send(_ frames: Frames) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping, state.outbox.count < maxQueued else { return false }
            state.outbox.append(frames)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Runs `operation` on the owner thread, before it next sends or receives: how the
    /// socket is changed while it runs (subscribe, connect to a replica found later).
    /// Errors are the operation's to handle. Ignored once the worker is stopping.
    public func perform(_ operation: @escaping @Sendable (ZMQSocket) -> Void) {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.controls.append(operation)
            return true
        }
        if accepted { wake.signal() }
    }

    /// Messages waiting in the outbox.
    public var queued: Int { state.withLock { $0.outbox.count } }

    /// Counters of messages sent and received by the owner thread.
    public var counts: (sent: UInt64, received: UInt64) {
        state.withLock { ($0.sentCount, $0.receivedCount) }
    }

    /// Stops the owner thread after it has tried to send what is queued, and closes
    /// the socket. Returns when the thread has finished.
    public func stop() async {
        state.withLock { $0.stopping = true }
        wake.signal()
        await withCheckedContinuation { continuation in
            let alreadyDone = finished.withLock { waiters -> Bool in
                guard waiters != nil else { return true }
                waiters!.append(continuation)
                return false
            }
            if alreadyDone { continuation.resume() }
        }
    }

    // MARK: Owner thread

    private static func runLoop(
        socket: ZMQSocket, wake: WakeSignal, state: Locked<State>, tickMs: Int,
        onReceive: @Sendable (Frames) -> Void, onTick: @Sendable () -> Void
    ) {
        var pending: [Frames] = []
        var pendingIndex = 0
        var stopDeadline: ContinuousClock.Instant?
        var lastTick = ContinuousClock.now
        let tickInterval = Duration.milliseconds(max(tickMs, 1))
        var items = [
            zmq_pollitem_t(socket: socket.raw, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0),
            zmq_pollitem_t(socket: nil, fd: wake.fd, events: Int16(ZMQ_POLLIN), revents: 0),
        ]
        let canReceive = socket.type != .pub && socket.type != .push
        if !canReceive { items[0].events = 0 }

        while true {
            // Take what other threads queued.
            let (batch, controls, stopping) = state.withLock { s -> ([Frames], [@Sendable (ZMQSocket) -> Void], Bool) in
                let taken = s.outbox
                s.outbox.removeAll(keepingCapacity: true)
                let controls = s.controls
                s.controls = []
                return (taken, controls, s.stopping)
            }
            for control in controls { control(socket) }
            if !batch.isEmpty {
                if pendingIndex > 0 { pending.removeFirst(pendingIndex); pendingIndex = 0 }
                pending.append(contentsOf: batch)
            }
            // Send as much as the socket takes without blocking.
            var sent: UInt64 = 0
            while pendingIndex < pending.count {
                let ok = (try? socket.send(pending[pendingIndex], dontWait: true)) ?? true
                if !ok { break }
                pendingIndex += 1
                sent += 1
            }
            if pendingIndex == pending.count { pending.removeAll(keepingCapacity: true); pendingIndex = 0 }
            if sent > 0 { state.withLock { $0.sentCount += sent } }

            if stopping {
                if pending.isEmpty { return }
                let now = ContinuousClock.now
                if stopDeadline == nil { stopDeadline = now + .seconds(2) }
                if now >= stopDeadline! { return }
            }

            let blocked = !pending.isEmpty
            items[0].events = Int16((canReceive ? ZMQ_POLLIN : 0) | (blocked ? ZMQ_POLLOUT : 0))
            items[0].revents = 0
            items[1].revents = 0
            var timeout: Int = tickMs >= 0 ? tickMs : -1
            if stopping { timeout = 50 }
            let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, 2, timeout) }
            if rc < 0 {
                if zmq_errno() == EINTR { continue }
                return  // context terminated
            }
            if items[1].revents != 0 { wake.reset() }
            if canReceive && (items[0].revents & Int16(ZMQ_POLLIN)) != 0 {
                var received: UInt64 = 0
                // Drain what is ready, bounded so sends are not starved.
                while received < 1024, let frames = try? socket.receive(dontWait: true) {
                    onReceive(frames)
                    received += 1
                }
                if received > 0 { state.withLock { $0.receivedCount += received } }
            }
            if tickMs >= 0 {
                let now = ContinuousClock.now
                if now - lastTick >= tickInterval {
                    lastTick = now
                    onTick()
                }
            }
        }
    }
}
