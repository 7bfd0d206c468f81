import Foundation
import SwiftProtobuf
import ZeroMQ

/// Publishes messages on a PUB socket, topic frame first: `[topic, payload]`.
/// PUB drops for slow subscribers by design; every streamed message carries a
/// `sequence` (see ``SequenceCounter``) so that subscribers see the gap and replay
/// from MongoDB, which is the log.
public final class StreamPublisher: Sendable {
    public let endpoint: String
    private let worker: SocketWorker

    public init(name: String, bind endpoint: String, highWaterMark: Int32 = 100_000) throws {
        worker = try SocketWorker(
            name: "\(name)-pub", type: .pub,
            configure: { socket in
                try socket.setSendHighWaterMark(highWaterMark)
                try socket.bind(endpoint)
            })
        self.endpoint = worker.boundEndpoint
    }

    @discardableResult
    public func publish(topic: String, payload: [UInt8]) -> Bool {
        worker.send([Array(topic.utf8), payload])
    }

    @discardableResult
    public func publish<M: SwiftProtobuf.Message>(topic: String, _ message: M) throws -> Bool {
        publish(topic: topic, payload: try message.serializedBytes())
    }

    public var published: UInt64 { worker.counts.sent }

    /// Sends what is queued, then closes the socket.
    public func close() async { await worker.stop() }
}

/// Per-key sequence numbers for a publisher (key: the partition, or zone/type).
public final class SequenceCounter: Sendable {
    private let values = Locked<[String: UInt64]>([:])

    public init() {}

    /// The last sequence given out per key (for heartbeats).
    public var latest: [String: UInt64] { values.value }

    /// The next sequence for `key`, starting at 1.
    public func next(_ key: String) -> UInt64 {
        values.withLock { map in
            let value = map[key, default: 0] + 1
            map[key] = value
            return value
        }
    }
}
