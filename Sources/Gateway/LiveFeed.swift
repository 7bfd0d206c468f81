import Foundation
import Logging
import WaterlineBus
import WaterlineProto
import ZeroMQ

/// What `/api/v1/stream` sends: insight's event updates (`insight`), the scores of the
/// sensor a page watches (`score`), and the services' health every 10 s (`health`), as
/// server-sent events.
///
/// Each listener has a bounded queue: a browser that cannot keep up loses the oldest
/// messages rather than growing the gateway's memory (the page re-reads the REST API
/// when it reconnects).
final class LiveFeed: Sendable {
    struct Listener: Sendable {
        let sensor: String?
        let queue: AsyncStream<String>.Continuation
    }

    private let listeners = Locked<[UUID: Listener]>([:])
    private let insight: StreamSubscriber?
    private let scores: StreamSubscriber?
    private let health: @Sendable () async -> Any
    private let healthEvery: Duration
    private let logger: Logger
    private let closed = Locked(false)

    init(insightStream: [String], scoreStream: [String], healthEvery: Duration = .seconds(10), logger: Logger, health: @escaping @Sendable () async -> Any) throws {
        insight = insightStream.isEmpty ? nil : try StreamSubscriber(name: "gw-insight", connect: insightStream, topics: ["insight."])
        scores = scoreStream.isEmpty ? nil : try StreamSubscriber(name: "gw-score", connect: scoreStream, topics: ["score."])
        self.health = health
        self.healthEvery = healthEvery
        self.logger = logger
    }

    /// A new listener's messages, already formatted as SSE frames; `sensor`: whose
    /// scores it wants (nil: none).
    func listen(sensor: String?) -> (id: UUID, messages: AsyncStream<String>) {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(512))
        let id = UUID()
        if closed.withLock({ $0 }) {
            continuation.finish()
        } else {
            listeners.withLock { $0[id] = Listener(sensor: sensor, queue: continuation) }
        }
        return (id, stream)
    }

    func stopListening(_ id: UUID) {
        listeners.withLock { $0.removeValue(forKey: id) }?.queue.finish()
    }

    var listenerCount: Int { listeners.withLock { $0.count } }

    /// Forwards the streams until `close()`.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            if let insight {
                group.addTask { await self.forward(insight) { message in self.insightFrames(message) } }
            }
            if let scores {
                group.addTask { await self.forward(scores) { message in self.scoreFrames(message) } }
            }
            group.addTask { await self.tickHealth() }
        }
    }

    /// Ends every listener's stream (so open responses finish) and the subscriptions.
    func close() async {
        closed.withLock { $0 = true }
        let all = listeners.withLock { current in
            defer { current.removeAll() }
            return current.values
        }
        for listener in all { listener.queue.finish() }
        await insight?.close()
        await scores?.close()
    }

    static func frame(_ event: String, _ object: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return "event: \(event)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }

    // MARK: Forwarding

    private func forward(_ subscriber: StreamSubscriber, _ frames: @Sendable (StreamMessage) -> [(sensor: String?, text: String)]) async {
        while let batch = await subscriber.nextBatch() {
            guard listenerCount > 0 else { continue }
            let out = batch.flatMap(frames)
            guard !out.isEmpty else { continue }
            let current = listeners.withLock { Array($0.values) }
            for listener in current {
                for frame in out where frame.sensor == nil || frame.sensor == listener.sensor { listener.queue.yield(frame.text) }
            }
        }
    }

    private func insightFrames(_ message: StreamMessage) -> [(sensor: String?, text: String)] {
        guard let update = try? EventUpdate(serializedBytes: message.payload) else {
            logger.warning("gateway: undecodable insight update", metadata: ["topic": "\(message.topic)"])
            return []
        }
        return [(nil, Self.frame("insight", update.event.json))]
    }

    private func scoreFrames(_ message: StreamMessage) -> [(sensor: String?, text: String)] {
        let watched = Set(listeners.withLock { $0.values.compactMap(\.sensor) })
        guard !watched.isEmpty, let batch = try? ScoreBatch(serializedBytes: message.payload) else { return [] }
        return batch.scores.filter { watched.contains($0.sensorID) }.map { score in
            var object = score.json
            object["sensor_id"] = score.sensorID
            return (score.sensorID, Self.frame("score", object))
        }
    }

    private func tickHealth() async {
        while !closed.withLock({ $0 }) {
            try? await Task.sleep(for: healthEvery)
            guard listenerCount > 0, !closed.withLock({ $0 }) else { continue }
            let frame = Self.frame("health", await health())
            for listener in listeners.withLock({ Array($0.values) }) { listener.queue.yield(frame) }
        }
    }
}
