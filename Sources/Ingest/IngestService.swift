import Foundation
import Logging
import Mongo
import ServiceLifecycle
import WaterlineBus
import WaterlineKit
import WaterlineProto
import ZeroMQ

/// Ingest: validates readings against the sensor registry, stores them durably and
/// idempotently in `readings` (``SeriesStore``: a resent reading is a duplicate, a
/// different value for a stored time replaces it and keeps the old one) before acknowledging, records rejected ones in
/// `dead_letters` with the reason, and publishes what it stored on the raw stream.
/// What one batch's write stored: readings new, already stored, and replacing a
/// different stored value.
typealias StoredCounts = (accepted: Int, duplicates: Int, conflicts: Int)

public final class IngestService: Service {
    public let config: IngestConfig
    public let rpc: RPCServer
    private let pull: SocketWorker
    private let pullMessages: AsyncStream<[UInt8]>
    private let pullContinuation: AsyncStream<[UInt8]>.Continuation
    public let publisher: StreamPublisher
    private let mongo: MongoClient
    private let readings: SeriesStore
    private let deadLetters: MongoCollection
    private let registry: SensorDirectory
    private let validator: ReadingValidator
    private let admission: WriteAdmission<StoredCounts>
    /// Bounds the PULL messages received but not yet stored (see ``consumePull``).
    private let pullSlots: PullSlots
    private let partitioner: Partitioner
    private let sequences = SequenceCounter()
    private let counters = ServiceCounters()
    private let logger: Logger
    private let startedMs = nowMs()
    /// Set when the service begins to stop (ends the retention sweep).
    private let stopping = Locked(false)

    public init(config: IngestConfig, logger: Logger) async throws {
        self.config = config
        self.logger = logger
        mongo = try MongoClient(
            uri: config.mongoURI, database: config.database, appName: "waterline-ingest", threads: max(4, config.writers + 2))
        try await mongo.ping()
        try await ensureIndexes(mongo)
        let majority = try await mongo.isReplicaSet()
        readings = SeriesStore(mongo.collection(Collections.readings).withMajorityWrites(majority), rule: .readings)
        deadLetters = mongo.collection(Collections.deadLetters)
        registry = SensorDirectory(collection: mongo.collection(Collections.sensors).withMajorityWrites(majority))
        try await registry.load()
        validator = ReadingValidator(maxFutureMs: config.maxFutureMs)
        admission = WriteAdmission(.init(
            limit: config.maxPendingReadings, writeTimeout: .milliseconds(config.writeTimeoutMs),
            writers: config.writers, maxQueueDelay: .milliseconds(config.maxQueueMs)),
            // A batch sent again after it was stored: every reading is a duplicate now.
            answerForResend: { (accepted: 0, duplicates: $0.accepted + $0.duplicates, conflicts: 0) })
        let pullSlots = PullSlots(count: 8)
        self.pullSlots = pullSlots
        partitioner = Partitioner(count: UInt32(config.partitions))
        rpc = try RPCServer(name: "ingest", bind: config.rpcBind, logger: logger)
        publisher = try StreamPublisher(name: "ingest-raw", bind: config.rawPubBind)
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        pullMessages = stream
        pullContinuation = continuation
        pull = try SocketWorker(
            name: "ingest-pull", type: .pull,
            configure: { socket in
                try socket.setMaxMessageSize(64 << 20)
                try socket.bind(config.pullBind)
            },
            onReceive: { frames in
                // Blocks this socket's thread while 8 messages wait: libzmq then holds
                // further ones up to its high-water mark, and senders block (PUSH).
                guard let last = frames.last, pullSlots.acquire() else { return }
                continuation.yield(last)
            })
        registerHandlers()
        logger.info("ingest ready", metadata: [
            "rpc": "\(rpc.endpoint)", "pull": "\(pull.boundEndpoint)", "raw_pub": "\(publisher.endpoint)",
            "sensors": "\(registry.count)", "majority_writes": "\(majority)",
        ])
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.rpc.run() }
                group.addTask { await self.consumePull() }
                if self.config.rawRetentionS > 0 { group.addTask { await self.sweepRetention() } }
            }
        } onGracefulShutdown: {
            self.logger.info("ingest: shutting down; finishing calls in flight")
            self.stopping.withLock { $0 = true }
            self.rpc.beginShutdown()
            Task {
                self.pullSlots.close()
                await self.pull.stop()
                self.pullContinuation.finish()
            }
        }
        await publisher.close()
        mongo.close()
    }

    /// Drops raw readings past the retention (`WATERLINE_RAW_RETENTION_S`), sensor by
    /// sensor, every `WATERLINE_RETENTION_SWEEP_S` until the service stops. Replicas may
    /// sweep side by side: dropping what is gone already does nothing.
    private func sweepRetention() async {
        let retentionMs = Int64(config.rawRetentionS) * 1000
        while !stopping.value {
            let cutoff = nowMs() - retentionMs
            do {
                let sensors = try await mongo.collection(Collections.sensors).find([:], projection: ["_id": 1]).compactMap { $0["_id"]?.stringValue }
                var dropped = 0
                for sensor in sensors { dropped += try await readings.drop(sensor, before: cutoff) }
                counters.add("retention_dropped_segments", dropped)
                if dropped > 0 {
                    logger.info("retention: dropped raw readings", metadata: [
                        "segments": "\(dropped)", "older_than_ms": "\(cutoff)", "sensors": "\(sensors.count)",
                    ])
                }
            } catch {
                logger.warning("retention: sweep failed, trying again next time", metadata: ["error": "\(error)"])
            }
            let next = ContinuousClock.now + .seconds(config.retentionSweepS)
            while !stopping.value && ContinuousClock.now < next { try? await Task.sleep(for: .milliseconds(500)) }
        }
    }

    private func registerHandlers() {
        rpc.register(IngestRPC.submitReadings) { request, context in
            try await self.submit(
                request, key: BatchKey(bytes: context.payload), source: request.source.isEmpty ? "rpc" : request.source,
                deadline: context.deadline)
        }
        rpc.register(IngestRPC.registerSensors) { request, _ in try await self.registerSensors(request) }
        rpc.register(IngestRPC.listSensors) { request, _ in
            var filter: Document = [:]
            if !request.zone.isEmpty { filter["zone"] = .string(request.zone) }
            let query = filter
            let documents = try await self.mongoCall { try await self.mongo.collection(Collections.sensors).find(query, sort: ["_id": 1]) }
            var reply = ListSensorsResponse()
            reply.sensors = documents.map(Sensor.init(document:))
            return reply
        }
        rpc.register(IngestRPC.getRawSeries) { request, _ in
            let documents = try await self.mongoCall {
                try await self.readings.find(request)
            }
            var reply = RawSeriesResponse()
            reply.readings = documents.map(RawReading.init(document:))
            return reply
        }
        rpc.register(IngestRPC.stats) { _, _ in
            var reply = self.counters.stats(
                service: "ingest", instance: self.config.instanceID, startedMs: self.startedMs,
                gauges: [
                    "pending_readings": Int64(self.admission.pending), "database_down": self.admission.isDown ? 1 : 0,
                    "sensors_registered": Int64(self.registry.count),
                    "database_queue_ms": Int64(self.admission.estimatedWait.totalMilliseconds),
                ], rpc: self.rpc)
            let queue = self.admission.counts
            reply.counters.merge([
                "resends_joined": UInt64(queue.joined), "resends_answered_again": UInt64(queue.answeredAgain),
                "writes_dropped_expired": UInt64(queue.droppedExpired), "caller_deadlines": UInt64(queue.callerDeadlines),
            ]) { a, _ in a }
            return reply
        }
        rpc.register(IngestRPC.health) { _, _ in
            self.counters.health(
                service: "ingest", instance: self.config.instanceID, startedMs: self.startedMs,
                detail: "\(self.registry.count) sensors registered")
        }
    }

    // MARK: Readings

    /// Validates, stores and publishes one batch. Returns only after the accepted
    /// readings are durably stored; throws UNAVAILABLE when the database is not,
    /// RESOURCE_EXHAUSTED (with a retry hint) when its queue is full, and
    /// DEADLINE_EXCEEDED when `deadline` passes first (``WriteAdmission``).
    func submit(
        _ request: SubmitReadingsRequest, key: BatchKey, source: String, deadline: ContinuousClock.Instant?
    ) async throws(RPCError) -> SubmitReadingsResponse {
        let batch = request.readings
        counters.add("received", batch.count)
        guard batch.count <= config.maxBatch else {
            counters.add("rejected_batches")
            throw RPCError.invalidArgument(
                "batch of \(batch.count) readings exceeds the limit of \(config.maxBatch) (WATERLINE_MAX_BATCH)",
                field: "readings")
        }
        let now = nowMs()
        let known = await registry.lookup(Set(batch.map(\.sensorID)))
        var reply = SubmitReadingsResponse()
        var accepted: [RawReading] = []
        var acceptedDocs: [Document] = []
        var letters: [Document] = []
        accepted.reserveCapacity(batch.count)
        for (index, reading) in batch.enumerated() {
            if let problem = validator.rejection(of: reading, nowMs: now, sensor: { known[$0] }) {
                var r = ReadingRejection()
                r.index = UInt32(index)
                r.sensorID = reading.sensorID
                r.reason = problem.reason
                r.detail = problem.detail
                reply.rejected.append(r)
                letters.append(deadLetter(reading, index: index, reason: problem.reason.label, detail: problem.detail, source: source, now: now))
                continue
            }
            var raw = RawReading()
            raw.sensorID = reading.sensorID
            raw.tsMs = reading.tsMs
            raw.value = reading.value
            raw.receivedMs = now
            raw.traceID = reading.traceID
            raw.unit = reading.unit
            accepted.append(raw)
            acceptedDocs.append(raw.document)
        }
        if !letters.isEmpty { counters.add("rejected", letters.count) }
        guard !accepted.isEmpty || !letters.isEmpty else { return reply }
        let (rejected, acceptedReadings, documents) = (letters, accepted, acceptedDocs)
        do {
            let stored = try await admission.write(count: batch.count, key: key, deadline: deadline) {
                try await self.store(letters: rejected, accepted: acceptedReadings, documents: documents)
            }
            reply.accepted = UInt32(stored.accepted)
            reply.duplicates = UInt32(stored.duplicates)
            reply.conflicts = UInt32(stored.conflicts)
        } catch let error as RPCError {
            counters.add(error.code == .resourceExhausted ? "refused_busy" : "refused_unavailable")
            throw error
        } catch {
            throw RPCError.internalError("\(error)")
        }
        return reply
    }

    /// Stores a batch's dead letters and readings, then publishes the readings stored
    /// now. Runs to its end even when the caller stopped waiting (``WriteAdmission``'s
    /// deadline): readings that land late are published then. (A write the server applied
    /// but whose answer was lost leaves its readings stored and unpublished: the resend
    /// finds them as duplicates. Preprocess finds them when it next rebuilds the sensor.)
    private func store(letters: [Document], accepted: [RawReading], documents: [Document]) async throws(RPCError) -> StoredCounts {
        if !letters.isEmpty { _ = try await mongoCall { try await self.deadLetters.insertMany(letters) } }
        guard !accepted.isEmpty else { return (0, 0, 0) }
        let write = try await mongoCall { try await self.readings.write(documents) }
        var fresh: [RawReading] = []
        var duplicates = 0
        var conflicts = 0
        fresh.reserveCapacity(accepted.count)
        for (reading, outcome) in zip(accepted, write.outcomes) {
            switch outcome {
            case .stored?: fresh.append(reading)
            case .replaced?:
                var replacing = reading
                replacing.conflict = true
                fresh.append(replacing)
                conflicts += 1
            case .duplicate?: duplicates += 1
            case nil: break
            }
        }
        if let failure = write.failures.first {
            // Some readings were not stored: fail the call so the client resends
            // (idempotent). Those stored now go out first: the resend finds them as
            // duplicates, which are not published again.
            publish(fresh)
            let unstored = write.outcomes.count { $0 == nil }
            throw RPCError(.unavailable, "\(unstored) readings not stored (first: \(failure)); resend the batch")
        }
        counters.add("conflicts", conflicts)
        counters.add("stored", accepted.count - duplicates)
        counters.add("duplicates", duplicates)
        publish(fresh)
        return (accepted.count - duplicates, duplicates, conflicts)
    }

    private func publish(_ readings: [RawReading]) {
        var byPartition: [UInt32: [RawReading]] = [:]
        for r in readings { byPartition[partitioner.partition(of: r.sensorID), default: []].append(r) }
        for (partition, items) in byPartition {
            var batch = RawReadingBatch()
            batch.partition = partition
            batch.publisherID = config.instanceID
            batch.sequence = sequences.next(String(partition))
            batch.readings = items
            if (try? publisher.publish(topic: "raw.\(partition)", batch)) == true {
                counters.add("published", items.count)
            } else {
                counters.add("publish_dropped", items.count)
            }
        }
    }

    private func deadLetter(_ r: Reading, index: Int, reason: String, detail: String, source: String, now: Int64) -> Document {
        [
            "received_ms": .int64(now), "source": .string(source), "reason": .string(reason), "detail": .string(detail),
            "index": .int64(Int64(index)),
            "reading": [
                "sensor_id": .string(r.sensorID), "ts_ms": .int64(r.tsMs),
                "value": r.value.isFinite ? .double(r.value) : .string(String(r.value)), "trace_id": .string(r.traceID),
            ],
        ]
    }

    private func consumePull() async {
        for await payload in pullMessages {
            defer { pullSlots.release() }
            do {
                let request = try SubmitReadingsRequest(serializedBytes: payload)
                try await submitRetrying(request, key: BatchKey(bytes: payload))
            } catch let error as RPCError {
                logger.warning("ingest: pull batch failed", metadata: ["error": "\(error)"])
            } catch {
                counters.add("rejected_messages")
                let letter: Document = [
                    "received_ms": .int64(nowMs()), "source": "pull", "reason": "malformed_message",
                    "detail": .string("payload is not a valid waterline.v1.SubmitReadingsRequest: \(error)"),
                    "size": .int64(Int64(payload.count)),
                ]
                _ = try? await deadLetters.insertMany([letter])
            }
        }
    }

    /// A PULL batch has no caller to answer: while the database refuses it (down, slow,
    /// or ingest at its limit), it is retried after the queue's hint (a retry joins the
    /// write still in progress), and no further message is taken meanwhile.
    private func submitRetrying(_ request: SubmitReadingsRequest, key: BatchKey) async throws(RPCError) {
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
        while true {
            do {
                let deadline = ContinuousClock.now + .milliseconds(config.writeTimeoutMs)
                _ = try await submit(request, key: key, source: request.source.isEmpty ? "pull" : request.source, deadline: deadline)
                return
            } catch where error.isRetryable && !pullSlots.isClosed {
                counters.add("pull_retries")
                try? await Task.sleep(for: backoff.next(hint: error.retryAfter))
            }
        }
    }

    private func registerSensors(_ request: RegisterSensorsRequest) async throws(RPCError) -> RegisterSensorsResponse {
        var reply = RegisterSensorsResponse()
        var valid: [Sensor] = []
        for (index, var sensor) in request.sensors.enumerated() {
            if let problem = SensorValidator.problem(with: sensor) {
                var r = SensorRejection()
                r.index = UInt32(index)
                r.sensorID = sensor.sensorID
                r.reason = problem
                reply.rejected.append(r)
                continue
            }
            if sensor.cadenceMs == 0 { sensor.cadenceMs = 60_000 }
            // zone_inlet and balance_role say the same of an inlet; older clients set only the first.
            if sensor.zoneInlet && sensor.balanceRole == .unspecified { sensor.balanceRole = .inlet }
            sensor.zoneInlet = sensor.balanceRole == .inlet
            valid.append(sensor)
        }
        let toStore = valid
        try await mongoCall { try await self.registry.register(toStore) }
        reply.registered = UInt32(valid.count)
        return reply
    }

    /// Runs a database call; a database failure becomes UNAVAILABLE for the caller.
    private func mongoCall<T: Sendable>(_ body: @Sendable () async throws -> T) async throws(RPCError) -> T {
        do { return try await body() } catch let error as MongoError {
            counters.add("database_errors")
            logger.error("ingest: database error", metadata: ["error": "\(error)"])
            throw RPCError.unavailable("database unavailable: \(error.message)")
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError.internalError("\(error)")
        }
    }
}
