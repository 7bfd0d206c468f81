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

    /// The listeners, and whether the feed has closed (one lock: a listener added while
    /// closing would never be finished).
    private let state = Locked<(listeners: [UUID: Listener], closed: Bool)>(([:], false))
    private let insight: StreamSubscriber?
    private let scores: StreamSubscriber?
    private let health: @Sendable () async -> Any
    private let healthEvery: Duration
    private let logger: Logger

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
        let added = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.listeners[id] = Listener(sensor: sensor, queue: continuation)
            return true
        }
        if !added { continuation.finish() }
        return (id, stream)
    }

    func stopListening(_ id: UUID) {
        state.withLock { $0.listeners.removeValue(forKey: id) }?.queue.finish()
    }

    var listenerCount: Int { state.withLock { $0.listeners.count } }
    private var isClosed: Bool { state.withLock { $0.closed } }
    private var current: [Listener] { state.withLock { Array($0.listeners.values) } }

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
        let all = state.withLock { state -> [Listener] in
            state.closed = true
            defer { state.listeners.removeAll() }
            return Array(state.listeners.values)
        }
        for listener in all { listener.queue.finish() }
        await insight?.close()
        await scores?.close()
    }

    static func frame(_ event: String, _ object: Any) -> String {
        "event: \(event)\ndata: \(String(decoding: jsonData(object), as: UTF8.self))\n\n"
    }

    // MARK: Forwarding

    private func forward(_ subscriber: StreamSubscriber, _ frames: @Sendable (StreamMessage) -> [(sensor: String?, text: String)]) async {
        while let batch = await subscriber.nextBatch() {
            guard listenerCount > 0 else { continue }
            let out = batch.flatMap(frames)
            guard !out.isEmpty else { continue }
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
        return update.isHeartbeat ? [] : [(nil, Self.frame("insight", update.event.json))]
    }

    private func scoreFrames(_ message: StreamMessage) -> [(sensor: String?, text: String)] {
        let watched = Set(current.compactMap(\.sensor))
        guard !watched.isEmpty, let batch = try? ScoreBatch(serializedBytes: message.payload) else { return [] }
        return batch.scores.filter { watched.contains($0.sensorID) }.map { score in
            var object = score.json
            object["sensor_id"] = score.sensorID
            return (score.sensorID, Self.frame("score", object))
        }
    }

    private func tickHealth() async {
        // Ends when the feed closes or the task is cancelled (a cancelled sleep returns
        // at once: without the check the loop would spin).
        var last = ContinuousClock.now
        while !isClosed && !Task.isCancelled {
            // Short naps, so a closing feed ends within a second.
            try? await Task.sleep(for: .seconds(1))
            guard ContinuousClock.now - last >= healthEvery else { continue }
            last = .now
            guard listenerCount > 0, !isClosed, !Task.isCancelled else { continue }
            let frame = Self.frame("health", await health())
            for listener in current { listener.queue.yield(frame) }
        }
    }
}
