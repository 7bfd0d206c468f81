import Foundation
import Ingest
import Testing
import WaterlineBus

/// The rules by which ingest queues, joins, drops and refuses writes instead of
/// buffering them (the database itself is replaced by closures here;
/// DatabaseOutageTests stop a real one, OverloadTests starve one).
@Suite struct WriteAdmissionTests {
    struct Down: Error {}

    /// A write that waits until the test opens its gate.
    final class Gate: Sendable {
        let stream: AsyncStream<Void>
        let continuation: AsyncStream<Void>.Continuation
        init() { (stream, continuation) = AsyncStream<Void>.makeStream() }
        func wait() async { for await _ in stream { break } }
        func open() { continuation.yield() }
    }

    static func key(_ n: UInt8) -> BatchKey { BatchKey(bytes: [n, n &+ 1, n &+ 2]) }

    // Where a write timeout is not what a test is about, it is two minutes: a write held
    // at a gate must not time out on a busy machine before the test opens it (at 10 s, a
    // clean-clone run beside a CPU hog once took 40 s over the resend test).

    @Test func beyondTheLimitABatchIsRefusedAsBusyWithAHint() async throws {
        let admission = WriteAdmission<Int>(.init(limit: 100, writeTimeout: .seconds(120), writers: 2))
        let gate = Gate()
        let first = Task { try await admission.write(count: 80) { await gate.wait(); return 1 } }
        while admission.pending < 80 { try await Task.sleep(for: .milliseconds(5)) }
        do {
            _ = try await admission.write(count: 30) { 2 }
            Issue.record("a batch over the limit went through")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("80 readings waiting"))
            #expect(error.retryAfterMs >= 100, "a full server says when to come back")
        }
        // Within the limit it goes through.
        #expect(try await admission.write(count: 20) { 3 } == 3)
        gate.open()
        #expect(try await first.value == 1)
        #expect(admission.pending == 0)
    }

    @Test func aWriteNotConfirmedInTimeIsUnavailableAndStillCountsUntilItEnds() async throws {
        let admission = WriteAdmission<Int>(.init(limit: 100, writeTimeout: .milliseconds(100)))
        let gate = Gate()
        let finished = Locked(false)
        do {
            _ = try await admission.write(count: 60) {
                await gate.wait()
                finished.withLock { $0 = true }
                return 1
            }
            Issue.record("acknowledged without the database")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("did not confirm"))
        }
        #expect(admission.pending == 60)
        #expect(admission.isDown)
        // Down: the next batch is the probe; while it is out, others are refused at once.
        let probe = Task { try await admission.write(count: 1) { 5 } }
        #expect(try await probe.value == 5)
        #expect(!admission.isDown, "a successful write shows the database is back")
        gate.open()
        while !finished.value { try await Task.sleep(for: .milliseconds(5)) }
        while admission.pending > 0 { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func whileTheDatabaseIsDownBatchesAreRefusedAtOnceExceptOneProbe() async throws {
        let admission = WriteAdmission<Int>(.init(limit: 1000, writeTimeout: .seconds(120)))
        await #expect(throws: Down.self) { _ = try await admission.write(count: 1) { () async throws -> Int in throw Down() } }
        #expect(admission.isDown)
        let gate = Gate()
        let probe = Task { try await admission.write(count: 1) { await gate.wait(); return 7 } }
        while admission.pending < 1 { try await Task.sleep(for: .milliseconds(5)) }
        do {
            _ = try await admission.write(count: 1) { 8 }
            Issue.record("a second batch went out while the probe was out")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("database is unreachable"))
        }
        gate.open()
        #expect(try await probe.value == 7)
        #expect(try await admission.write(count: 1) { 9 } == 9)
    }

    /// When the database hangs, batches queued behind the hung writes are told at once
    /// (not held until their deadline), and the probe starts although every writer is
    /// taken by a hung write.
    @Test func aHungDatabaseRefusesTheQueueAndStillLetsAProbeThrough() async throws {
        let admission = WriteAdmission<Int>(.init(limit: 1000, writeTimeout: .milliseconds(200), writers: 1))
        let gate = Gate()
        let hung = Task { try await admission.write(count: 1, key: Self.key(5)) { await gate.wait(); return 1 } }
        while admission.pending < 1 { try await Task.sleep(for: .milliseconds(5)) }
        let queued = Task { try await admission.write(count: 1, key: Self.key(6), deadline: .now + .seconds(30)) { 2 } }
        let started = ContinuousClock.now
        await #expect { _ = try await queued.value } throws: {
            ($0 as? RPCError)?.code == .unavailable && "\($0)".contains("database is unreachable")
        }
        #expect(ContinuousClock.now - started < .seconds(20), "refused when the hang was noticed, not at its deadline")
        await #expect { _ = try await hung.value } throws: { ($0 as? RPCError)?.code == .unavailable }
        // A resend of the hung batch is refused too: its first copy still waits there.
        await #expect { _ = try await admission.write(count: 1, key: Self.key(5)) { 9 } } throws: {
            ($0 as? RPCError)?.code == .unavailable
        }
        #expect(try await admission.write(count: 1, key: Self.key(7)) { 3 } == 3, "the probe ran beside the hung write")
        #expect(!admission.isDown)
        gate.open()
        while admission.pending > 0 { try await Task.sleep(for: .milliseconds(5)) }
    }

    /// A resend of a batch whose write is still running joins it: the database sees
    /// one write, and the resend gets that write's answer even though the first caller
    /// gave up; a later resend is answered from it without a write.
    @Test func aResendJoinsTheWriteInProgressAndALaterOneIsAnsweredWithoutAWrite() async throws {
        let admission = WriteAdmission<Int>(.init(limit: 1000, writeTimeout: .seconds(120)), answerForResend: { -$0 })
        let writes = Locked(0)
        let gate = Gate()
        let write: @Sendable () async throws -> Int = {
            writes.withLock { $0 += 1 }
            await gate.wait()
            return 42
        }
        let shortDeadline = ContinuousClock.now + .milliseconds(50)
        await #expect { _ = try await admission.write(count: 10, key: Self.key(1), deadline: shortDeadline, write) } throws: {
            ($0 as? RPCError)?.code == .deadlineExceeded && "\($0)".contains("the write goes on")
        }
        let resend = Task { try await admission.write(count: 10, key: Self.key(1), deadline: .now + .seconds(10), write) }
        while admission.counts.joined < 1 { try await Task.sleep(for: .milliseconds(5)) }
        gate.open()
        #expect(try await resend.value == 42)
        #expect(try await admission.write(count: 10, key: Self.key(1), deadline: .now + .seconds(10), write) == -42,
                "a resend after the write is answered as a resend")
        #expect(writes.value == 1, "one write for three calls")
        #expect(admission.counts.answeredAgain == 1)
        // Another batch is another write.
        #expect(try await admission.write(count: 10, key: Self.key(2)) { writes.withLock { $0 += 1 }; return 7 } == 7)
        #expect(writes.value == 2)
    }

    /// A queued write whose every caller has given up is dropped before it starts.
    @Test func aQueuedWriteWithNoCallerLeftIsDroppedUnwritten() async throws {
        let admission = WriteAdmission<Int>(.init(limit: 1000, writeTimeout: .seconds(120), writers: 1))
        let gate = Gate()
        let running = Task { try await admission.write(count: 5, key: Self.key(3)) { await gate.wait(); return 1 } }
        while admission.pending < 5 { try await Task.sleep(for: .milliseconds(5)) }
        let ran = Locked(false)
        await #expect { _ = try await admission.write(count: 5, key: Self.key(4), deadline: .now + .milliseconds(50)) { ran.withLock { $0 = true }; return 2 } } throws: {
            ($0 as? RPCError)?.code == .deadlineExceeded && "\($0)".contains("dropped unwritten")
        }
        #expect(admission.counts.droppedExpired == 1)
        #expect(admission.pending == 5, "the dropped batch no longer counts")
        gate.open()
        #expect(try await running.value == 1)
        try await Task.sleep(for: .milliseconds(50))
        #expect(!ran.value, "the abandoned write never reached the database")
    }

    /// Once writes are measured, a batch that would wait longer than its caller's
    /// deadline is refused at once with the estimated wait as its hint, instead of
    /// being queued to be abandoned.
    @Test func aBatchThatWouldOutwaitItsCallerIsRefusedWithTheWait() async throws {
        let admission = WriteAdmission<Int>(.init(limit: 100_000, writeTimeout: .seconds(60), writers: 1, maxQueueDelay: .seconds(30)))
        // Measure: 100 readings in about 200 ms.
        _ = try await admission.write(count: 100) { try await Task.sleep(for: .milliseconds(200)); return 0 }
        let gate = Gate()
        let running = Task { try await admission.write(count: 1000) { await gate.wait(); return 1 } }
        while admission.pending < 1000 { try await Task.sleep(for: .milliseconds(5)) }
        // About a second ahead (half of the 2 s the running write is estimated to take).
        #expect(admission.estimatedWait >= .milliseconds(500))
        do {
            _ = try await admission.write(count: 10, deadline: .now + .milliseconds(300)) { 2 }
            Issue.record("queued behind a longer wait than the caller's deadline")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted)
            #expect(error.retryAfterMs >= 500, "hint \(error.retryAfterMs) ms")
        }
        // A caller with time enough is queued and served.
        let patient = Task { try await admission.write(count: 10, deadline: .now + .seconds(20)) { 3 } }
        gate.open()
        #expect(try await running.value == 1)
        #expect(try await patient.value == 3)
        #expect(admission.counts.refusedBusy == 1)
    }
}

@Suite struct BackoffTests {
    @Test func waitsGrowWithJitterUpToTheMaximum() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(2))
        var generator = SystemRandomNumberGenerator()
        let waits = (0..<8).map { _ in backoff.next(using: &generator) }
        for (n, wait) in waits.enumerated() {
            let step = min(2000.0, 100 * pow(2, Double(n)))
            #expect(wait.totalMilliseconds >= step / 2 && wait.totalMilliseconds <= step + 1, "wait \(n): \(wait)")
        }
        backoff.reset()
        #expect(backoff.next(using: &generator) <= .milliseconds(101))
    }

    @Test func neverSoonerThanTheServersHint() {
        var backoff = Backoff(initial: .milliseconds(10), maximum: .seconds(1))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            let wait = backoff.next(hint: .milliseconds(1500), using: &generator)
            #expect(wait >= .milliseconds(1500) && wait <= .milliseconds(1651))
        }
    }
}
