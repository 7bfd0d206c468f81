import Foundation
import Simulation
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Streams a scenario into a running ingest over RPC. Batches that fail because
/// ingest is down, busy or slow are resent until they are acknowledged (storage is
/// idempotent, so a resend never stores twice), after a pause that grows with jitter
/// and is never shorter than the retry hint of a server that said it is full.
public struct Replayer: Sendable {
    public struct Stats: Sendable {
        public var sent = 0
        public var accepted = 0
        public var duplicates = 0
        /// Readings that replaced a different value stored for the same timestamp.
        public var conflicts = 0
        public var rejected = 0
        public var retries = 0
        /// Refusals by a full server (RESOURCE_EXHAUSTED) among the retries.
        public var busy = 0
        /// Calls that got no reply within their deadline among the retries.
        public var timeouts = 0
        /// Acknowledged batches.
        public var batches = 0
        /// The longest stretch with no acknowledged batch, from the start of the replay.
        public var longestStall: Duration = .zero

        public init() {}

        /// Adds another replay's counts (the longer of the two stalls).
        public mutating func add(_ other: Stats) {
            sent += other.sent
            accepted += other.accepted
            duplicates += other.duplicates
            conflicts += other.conflicts
            rejected += other.rejected
            retries += other.retries
            busy += other.busy
            timeouts += other.timeouts
            batches += other.batches
            longestStall = max(longestStall, other.longestStall)
        }
    }

    let client: RPCClient
    /// Give up on a batch after retrying this long.
    var retryFor: Duration
    /// Whether each reading carries a trace id (`<sensor>@<ts_ms>`), as a forwarder that
    /// traces its readings would: it travels to the clean point, the score and the event.
    public var traceIDs: Bool
    /// The `source` of every batch (dead letters name it).
    public var source: String

    public init(client: RPCClient, retryFor: Duration = .seconds(120), traceIDs: Bool = false, source: String = "replay") {
        self.client = client
        self.retryFor = retryFor
        self.traceIDs = traceIDs
        self.source = source
    }

    /// Registers the scenario's sensors. Returns how many were registered.
    public func registerSensors(of scenario: Scenario) async throws -> Int {
        var request = RegisterSensorsRequest()
        let roles = BalanceRoles(zones: scenario.meta.zones)
        request.sensors = scenario.sensors.map { Sensor($0, cadenceMs: scenario.meta.stepMs, roles: roles) }
        var ignored = Stats()
        let reply = try await withRetry(&ignored) { try await client.call(IngestRPC.registerSensors, request, retry: false) }
        if let first = reply.rejected.first {
            throw RPCError.invalidArgument("sensor \(first.sensorID) rejected: \(first.reason)")
        }
        return Int(reply.registered)
    }

    /// Sends the readings in batches. `speed` is scenario time per wall time (0: as
    /// fast as ingest takes them).
    public func replay(
        _ readings: [ScenarioReading], batchSize: Int = 1000, speed: Double = 0,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Stats {
        var stats = Stats()
        guard let firstTs = readings.first?.tsMs else { return stats }
        let started = ContinuousClock.now
        var lastAck = started
        var index = 0
        while index < readings.count {
            let slice = readings[index..<min(index + batchSize, readings.count)]
            if speed > 0, let ts = slice.first?.tsMs {
                let due = started + .milliseconds(Int64(Double(ts - firstTs) / speed))
                if due > .now { try await Task.sleep(until: due) }
            }
            var request = SubmitReadingsRequest()
            request.source = source
            request.readings = slice.map { r in
                var reading = Reading()
                reading.sensorID = r.sensorId
                reading.tsMs = r.tsMs
                reading.value = r.value
                if traceIDs { reading.traceID = "\(r.sensorId)@\(r.tsMs)" }
                return reading
            }
            let reply = try await withRetry(&stats) { try await client.call(IngestRPC.submitReadings, request, retry: false) }
            let now = ContinuousClock.now
            stats.longestStall = max(stats.longestStall, now - lastAck)
            lastAck = now
            stats.batches += 1
            stats.sent += slice.count
            stats.accepted += Int(reply.accepted)
            stats.duplicates += Int(reply.duplicates)
            stats.conflicts += Int(reply.conflicts)
            stats.rejected += reply.rejected.count
            index += slice.count
            progress(index, readings.count)
        }
        return stats
    }

    private func withRetry<T: Sendable>(_ stats: inout Stats, _ body: () async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + retryFor
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(5))
        while true {
            do { return try await body() } catch let error as RPCError {
                guard error.isRetryable, ContinuousClock.now < deadline else { throw error }
                stats.retries += 1
                if error.code == .resourceExhausted { stats.busy += 1 }
                if error.code == .deadlineExceeded { stats.timeouts += 1 }
                try await Task.sleep(for: backoff.next(hint: error.retryAfter))
            }
        }
    }
}
