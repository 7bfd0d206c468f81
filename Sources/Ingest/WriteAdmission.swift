import Foundation
import WaterlineBus

/// The queue in front of the database for writes of readings. Ingest acknowledges a
/// batch only once MongoDB has stored it, so when MongoDB is slow or down the honest
/// answer is to refuse new batches early rather than queue them without bound, and
/// never to do work that no caller waits for any more. The rules:
///
/// - at most `writers` writes run at once; the others wait in order, and at most
///   `limit` readings wait or run (memory stays bounded);
/// - a batch is refused with RESOURCE_EXHAUSTED and a retry hint when that limit is
///   reached, or when the estimated wait before its write starts (``DrainEstimate``)
///   exceeds `maxQueueDelay` or what is left of the caller's deadline: queued, it would
///   only be abandoned and resent, and the copies would grow the queue further;
/// - a resend of a batch that is queued or being written joins that write instead of
///   queueing a second copy (and gets that write's answer), and a resend of a batch
///   stored in the last `resultRetention` is answered at once from the first answer
///   (`answerForResend`: for ingest, every reading a duplicate) without asking the
///   database again (``BatchKey``). So a caller whose deadline is shorter than the
///   database's latency is still acknowledged, thanks to the write its first attempt
///   started;
/// - a caller whose deadline passes is answered DEADLINE_EXCEEDED; a queued write with
///   no caller left is dropped before it starts;
/// - a write not confirmed within `writeTimeout` of its start is answered UNAVAILABLE
///   and the database is taken to be down: new batches are refused at once until a
///   write succeeds again (one batch at a time goes through as a probe). The write goes
///   on, and its readings count against the limit until it ends; a resend of its batch
///   meanwhile is refused the same way.
public final class WriteAdmission<Value: Sendable>: Sendable {
    public struct Settings: Sendable {
        public var limit: Int
        public var writeTimeout: Duration
        public var writers: Int
        public var maxQueueDelay: Duration
        public var resultRetention: Duration = .seconds(120)
        public var maxResults = 20_000

        public init(limit: Int, writeTimeout: Duration, writers: Int = 2, maxQueueDelay: Duration = .seconds(5)) {
            self.limit = limit
            self.writeTimeout = writeTimeout
            self.writers = max(1, writers)
            self.maxQueueDelay = maxQueueDelay
        }
    }

    /// What the queue has done, for the Stats RPC.
    public struct Counts: Sendable {
        /// Resends that joined their batch's write in progress or in the queue.
        public var joined = 0
        /// Resends answered from a stored batch's first answer.
        public var answeredAgain = 0
        /// Queued writes dropped unstarted because every caller had gone.
        public var droppedExpired = 0
        /// Callers answered DEADLINE_EXCEEDED while their write was queued or running.
        public var callerDeadlines = 0
        public var refusedBusy = 0
        public var refusedDown = 0
    }

    public typealias Write = @Sendable () async throws -> Value

    private struct Waiter: Sendable {
        let continuation: CheckedContinuation<Value, any Error>
        var timer: Task<Void, Never>?
    }

    private struct Job: Sendable {
        let count: Int
        let key: BatchKey?
        let write: Write
        let isProbe: Bool
        var waiters: [UInt64: Waiter] = [:]
        var started = false
        /// Ran past `writeTimeout`: the database is taken to be down.
        var timedOut = false
        var watchdog: Task<Void, Never>?
    }

    private struct State: Sendable {
        var jobs: [UInt64: Job] = [:]
        /// Jobs not started, oldest first.
        var queue: [UInt64] = []
        var byKey: [BatchKey: UInt64] = [:]
        var results: [BatchKey: (value: Value, at: ContinuousClock.Instant)] = [:]
        var resultOrder: [BatchKey] = []
        var resultHead = 0
        var nextID: UInt64 = 1
        var queuedReadings = 0
        var runningReadings = 0
        var running = 0
        /// Readings queued or being written (also those whose callers have gone).
        var pending: Int { queuedReadings + runningReadings }
        var downSinceMs: Int64?
        var probing = false
        var lastError = ""
        var drain = DrainEstimate()
        var counts = Counts()
    }

    private enum Entry {
        case refused(RPCError)
        case answered(Value)
        case waiting(job: UInt64, waiter: UInt64)
    }

    public let settings: Settings
    /// What a resend of a stored batch is told, from the first answer.
    private let answerForResend: @Sendable (Value) -> Value
    private let state = Locked(State())

    public init(_ settings: Settings, answerForResend: @escaping @Sendable (Value) -> Value = { $0 }) {
        self.settings = settings
        self.answerForResend = answerForResend
    }

    /// Readings waiting for the database now (queued or being written).
    public var pending: Int { state.withLock { $0.pending } }
    public var isDown: Bool { state.withLock { $0.downSinceMs != nil } }
    public var counts: Counts { state.withLock { $0.counts } }
    /// The estimated wait before a new write would start.
    public var estimatedWait: Duration {
        state.withLock { $0.drain.wait(queued: $0.queuedReadings, running: $0.runningReadings, writers: settings.writers) }
    }

    /// Runs `write` for a batch of `count` readings under the rules above. `key` names
    /// the batch for resends; `deadline` is when the caller stops waiting.
    public func write(
        count: Int, key: BatchKey? = nil, deadline: ContinuousClock.Instant? = nil, _ write: @escaping Write
    ) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let entry = state.withLock { enter(&$0, count: count, key: key, deadline: deadline, write: write, continuation) }
            switch entry {
            case .refused(let error): continuation.resume(throwing: error)
            case .answered(let value): continuation.resume(returning: value)
            case .waiting(let job, let waiter):
                if let deadline {
                    let timer = Task {
                        guard (try? await Task.sleep(until: deadline, clock: .continuous)) != nil else { return }
                        self.callerGaveUp(job: job, waiter: waiter)
                    }
                    state.withLock { $0.jobs[job]?.waiters[waiter]?.timer = timer }
                }
            }
            dispatch()
        }
    }

    // MARK: Entering

    private func enter(
        _ s: inout State, count: Int, key: BatchKey?, deadline: ContinuousClock.Instant?, write: @escaping Write,
        _ continuation: CheckedContinuation<Value, any Error>
    ) -> Entry {
        let now = ContinuousClock.now
        forgetOldResults(&s, now: now)
        let waiterID = s.nextID
        s.nextID += 1
        if let key, let stored = s.results[key] {
            s.counts.answeredAgain += 1
            return .answered(answerForResend(stored.value))
        }
        if let key, let jobID = s.byKey[key], let job = s.jobs[jobID] {
            if job.timedOut {
                // Its first copy hangs in a database taken to be down: say so now
                // rather than hold the caller.
                s.counts.refusedDown += 1
                return .refused(RPCError.unavailable(
                    "the database is unreachable (\(s.lastError)); this batch's earlier copy is still waiting there, resend it shortly"))
            }
            s.counts.joined += 1
            s.jobs[jobID]!.waiters[waiterID] = Waiter(continuation: continuation)
            return .waiting(job: jobID, waiter: waiterID)
        }
        var probe = false
        if let since = s.downSinceMs {
            if s.probing {
                s.counts.refusedDown += 1
                let seconds = max(0, (nowMs() - since) / 1000)
                return .refused(RPCError.unavailable(
                    "the database is unreachable (for \(seconds) s: \(s.lastError)); nothing was stored, retry shortly"))
            }
            probe = true
        }
        let wait = s.drain.wait(queued: s.queuedReadings, running: s.runningReadings, writers: settings.writers)
        if s.pending > 0 && s.pending + count > settings.limit {
            s.counts.refusedBusy += 1
            return .refused(RPCError.resourceExhausted(
                "ingest has \(s.pending) readings waiting for the database (limit \(settings.limit), WATERLINE_INGEST_MAX_PENDING); retry shortly",
                retryAfter: Self.hint(wait)))
        }
        let patience = min(settings.maxQueueDelay, deadline.map { $0 - now } ?? settings.maxQueueDelay)
        if s.pending > 0 && wait > patience {
            s.counts.refusedBusy += 1
            return .refused(RPCError.resourceExhausted(
                "ingest's database queue is about \(Self.text(wait)) long, more than the caller's \(Self.text(patience)) (WATERLINE_INGEST_MAX_QUEUE_MS or its deadline); retry after the hint",
                retryAfter: Self.hint(wait)))
        }
        let jobID = s.nextID
        s.nextID += 1
        var job = Job(count: count, key: key, write: write, isProbe: probe)
        job.waiters[waiterID] = Waiter(continuation: continuation)
        s.jobs[jobID] = job
        s.queue.append(jobID)
        if let key { s.byKey[key] = jobID }
        s.queuedReadings += count
        if probe { s.probing = true }
        return .waiting(job: jobID, waiter: waiterID)
    }

    /// A retry hint: the estimated wait, at least 100 ms and at most 10 s.
    static func hint(_ wait: Duration) -> Duration {
        min(.seconds(10), max(.milliseconds(100), wait))
    }

    static func text(_ d: Duration) -> String {
        d.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow, maximumUnitCount: 1))
    }

    // MARK: Running

    /// Starts queued writes while fewer than `writers` run.
    private func dispatch() {
        while true {
            let next: (UInt64, Write)? = state.withLock { s in
                // The probe of a database taken to be down starts even when every writer
                // is taken: those are most likely hung in it.
                guard let first = s.queue.first, s.running < settings.writers || s.jobs[first]!.isProbe else { return nil }
                let id = s.queue.removeFirst()
                s.jobs[id]!.started = true
                s.running += 1
                s.queuedReadings -= s.jobs[id]!.count
                s.runningReadings += s.jobs[id]!.count
                return (id, s.jobs[id]!.write)
            }
            guard let (id, write) = next else { return }
            let watchdog = Task {
                guard (try? await Task.sleep(for: self.settings.writeTimeout)) != nil else { return }
                self.writeTimedOut(id)
            }
            state.withLock { $0.jobs[id]?.watchdog = watchdog }
            Task {
                let began = ContinuousClock.now
                let result: Result<Value, any Error>
                do { result = .success(try await write()) } catch { result = .failure(error) }
                self.finish(id, result, took: ContinuousClock.now - began)
            }
        }
    }

    private func finish(_ id: UInt64, _ result: Result<Value, any Error>, took: Duration) {
        let (job, refused): (Job?, [Waiter]) = state.withLock { s in
            guard let job = s.jobs.removeValue(forKey: id) else { return (nil, []) }
            var refused: [Waiter] = []
            s.running -= 1
            s.runningReadings -= job.count
            if let key = job.key, s.byKey[key] == id { s.byKey[key] = nil }
            switch result {
            case .success(let value):
                s.drain.record(count: job.count, ms: took.totalMilliseconds)
                s.downSinceMs = nil
                s.probing = false
                if let key = job.key { remember(&s, key, value) }
            case .failure(let error):
                s.lastError = "\(error)"
                s.downSinceMs = s.downSinceMs ?? nowMs()
                if job.isProbe { s.probing = false }
                refused = dropQueued(&s)
            }
            return (job, refused)
        }
        refuse(refused)
        guard let job else { return }
        job.watchdog?.cancel()
        for waiter in job.waiters.values {
            waiter.timer?.cancel()
            waiter.continuation.resume(with: result)
        }
        dispatch()
    }

    /// The write runs past `writeTimeout`: its callers are answered UNAVAILABLE and the
    /// database is taken to be down. The write goes on.
    private func writeTimedOut(_ id: UInt64) {
        let (waiters, queued): ([Waiter], [Waiter]) = state.withLock { s in
            guard var job = s.jobs[id] else { return ([], []) }
            s.downSinceMs = s.downSinceMs ?? nowMs()
            s.lastError = "no answer within \(settings.writeTimeout)"
            if job.isProbe { s.probing = false }
            let waiters = Array(job.waiters.values)
            job.waiters.removeAll()
            job.timedOut = true
            s.jobs[id] = job
            return (waiters, dropQueued(&s))
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: RPCError.unavailable(
                "the database did not confirm the write within \(settings.writeTimeout); nothing was acknowledged, resend the batch"))
        }
        refuse(queued)
    }

    /// A caller's deadline passed: it is answered, and a queued write that nobody waits
    /// for any more is dropped before it starts.
    private func callerGaveUp(job jobID: UInt64, waiter waiterID: UInt64) {
        let outcome: (Waiter, started: Bool)? = state.withLock { s in
            guard var job = s.jobs[jobID], let waiter = job.waiters.removeValue(forKey: waiterID) else { return nil }
            s.counts.callerDeadlines += 1
            if !job.started && job.waiters.isEmpty {
                s.jobs[jobID] = nil
                s.queue.removeAll { $0 == jobID }
                s.queuedReadings -= job.count
                if let key = job.key, s.byKey[key] == jobID { s.byKey[key] = nil }
                if job.isProbe { s.probing = false }
                s.counts.droppedExpired += 1
            } else {
                s.jobs[jobID] = job
            }
            return (waiter, job.started)
        }
        guard let (waiter, started) = outcome else { return }
        waiter.continuation.resume(throwing: RPCError.deadlineExceeded(
            started
                ? "the caller's deadline passed while its batch was being written; the write goes on: resend the same batch for its answer"
                : "the caller's deadline passed while its batch waited for the database; it was dropped unwritten: resend it"))
    }

    /// The database is taken to be down: the writes that have not started are dropped
    /// (nothing of them was written) and their callers told at once, instead of waiting
    /// behind writes that hang. Returns those callers.
    private func dropQueued(_ s: inout State) -> [Waiter] {
        var waiters: [Waiter] = []
        for id in s.queue {
            guard let job = s.jobs.removeValue(forKey: id) else { continue }
            s.queuedReadings -= job.count
            if let key = job.key, s.byKey[key] == id { s.byKey[key] = nil }
            if job.isProbe { s.probing = false }
            s.counts.refusedDown += 1
            waiters += job.waiters.values
        }
        s.queue.removeAll()
        return waiters
    }

    private func refuse(_ waiters: [Waiter]) {
        guard !waiters.isEmpty else { return }
        let reason = state.withLock { $0.lastError }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: RPCError.unavailable(
                "the database is unreachable (\(reason)); nothing was stored, retry shortly"))
        }
    }

    // MARK: Answers kept for resends

    private func remember(_ s: inout State, _ key: BatchKey, _ value: Value) {
        if s.results.updateValue((value, .now), forKey: key) == nil { s.resultOrder.append(key) }
        forgetOldResults(&s, now: .now)
    }

    private func forgetOldResults(_ s: inout State, now: ContinuousClock.Instant) {
        while s.resultHead < s.resultOrder.count {
            let key = s.resultOrder[s.resultHead]
            guard let stored = s.results[key] else { s.resultHead += 1; continue }
            guard s.results.count > settings.maxResults || now - stored.at > settings.resultRetention else { break }
            s.results[key] = nil
            s.resultHead += 1
        }
        if s.resultHead > 1024 && s.resultHead * 2 > s.resultOrder.count {
            s.resultOrder.removeFirst(s.resultHead)
            s.resultHead = 0
        }
    }
}
