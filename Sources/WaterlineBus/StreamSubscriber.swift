import Foundation
import ZeroMQ

/// One message from a stream.
public struct StreamMessage: Sendable {
    public let topic: String
    public let payload: [UInt8]
}

/// Subscribes to topic prefixes on one or more PUB endpoints. The consumer takes
/// messages in batches (``nextBatch(max:)``): everything that arrived since its last
/// call, so one database write can serve many small stream messages. With `tickMs`,
/// the consumer is also woken when nothing arrives, so one loop can do periodic work
/// (such as flushing idle sensors) without a second task racing it.
public final class StreamSubscriber: Sendable {
    private let worker: SocketWorker
    private let buffer = Locked<(messages: [StreamMessage], closed: Bool)>(([], false))
    private let signal: AsyncStream<Void>
    private let signalContinuation: AsyncStream<Void>.Continuation
    private let discovery: EndpointDiscovery

    public init(
        name: String, connect endpoints: [String], topics: [String] = [""], highWaterMark: Int32 = 100_000, tickMs: Int = -1
    ) throws {
        let (signal, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.signal = signal
        signalContinuation = continuation
        let buffer = self.buffer
        let discovery = EndpointDiscovery(endpoints)
        self.discovery = discovery
        worker = try SocketWorker(
            name: "\(name)-sub", type: .sub, tickMs: tickMs,
            configure: { socket in
                try socket.setReceiveHighWaterMark(highWaterMark)
                for topic in topics { try socket.subscribe(topic) }
                for endpoint in discovery.initial { try socket.connect(endpoint) }
            },
            onReceive: { frames in
                guard frames.count == 2 else { return }
                let message = StreamMessage(topic: String(decoding: frames[0], as: UTF8.self), payload: frames[1])
                buffer.withLock { $0.messages.append(message) }
                continuation.yield()
            },
            onTick: { continuation.yield() })
        let worker = self.worker
        discovery.start { connect, disconnect in
            worker.perform { socket in socket.reconnect(connect: connect, disconnect: disconnect) }
        }
    }


    /// Waits for messages and returns up to `max` of them. Returns an empty list on a
    /// tick with nothing received, and nil once the subscriber is closed and everything
    /// received has been handed out.
    public func nextBatch(max: Int = 10_000) async -> [StreamMessage]? {
        var iterator = signal.makeAsyncIterator()
        var woken = false
        while true {
            let (taken, closed) = buffer.withLock { state -> ([StreamMessage], Bool) in
                let n = min(max, state.messages.count)
                let taken = Array(state.messages.prefix(n))
                state.messages.removeFirst(n)
                return (taken, state.closed)
            }
            if !taken.isEmpty { return taken }
            if closed { return nil }
            if woken { return [] }
            if await iterator.next() == nil { return nil }
            woken = true
        }
    }

    /// Adds topic prefixes while running. A publisher filters by what its subscribers
    /// asked for, so messages published before the request reaches it (a few
    /// milliseconds) are not received: a caller that reads the log next waits a little.
    public func subscribe(_ topics: [String]) {
        worker.perform { socket in for topic in topics { try? socket.subscribe(topic) } }
    }

    /// Removes topic prefixes (each one once, as subscribed).
    public func unsubscribe(_ topics: [String]) {
        worker.perform { socket in for topic in topics { try? socket.unsubscribe(topic) } }
    }

    public var received: UInt64 { worker.counts.received }

    /// Stops receiving; ``nextBatch(max:)`` then hands out what is left and returns nil.
    public func close() async {
        discovery.stop()
        await worker.stop()
        buffer.withLock { $0.closed = true }
        signalContinuation.yield()
        signalContinuation.finish()
    }
}
