import Foundation
import Ingest
import Testing
import WaterlineBus

/// The rules by which ingest refuses writes instead of buffering them (the database
/// itself is replaced by closures here; DatabaseOutageTests stop a real one).
@Suite struct WriteAdmissionTests {
    struct Down: Error {}

    @Test func beyondTheLimitABatchIsRefusedAsBusy() async throws {
        let admission = WriteAdmission(limit: 100, deadline: .seconds(10))
        let (gate, open) = AsyncStream<Void>.makeStream()
        let first = Task { try await admission.write(count: 80) { for await _ in gate { break }; return 1 } }
        while admission.pending < 80 { try await Task.sleep(for: .milliseconds(5)) }
        do {
            _ = try await admission.write(count: 30) { 2 }
            Issue.record("a batch over the limit went through")
        } catch let error as RPCError {
            #expect(error.code == .resourceExhausted)
            #expect(error.message.contains("80 readings waiting"))
        }
        // Within the limit it goes through.
        #expect(try await admission.write(count: 20) { 3 } == 3)
        open.yield()
        #expect(try await first.value == 1)
        #expect(admission.pending == 0)
    }

    @Test func aWriteNotConfirmedInTimeIsUnavailableAndStillCountsUntilItEnds() async throws {
        let admission = WriteAdmission(limit: 100, deadline: .milliseconds(100))
        let (gate, open) = AsyncStream<Void>.makeStream()
        let finished = Locked(false)
        do {
            _ = try await admission.write(count: 60) {
                for await _ in gate { break }
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
        open.yield()
        while !finished.value { try await Task.sleep(for: .milliseconds(5)) }
        while admission.pending > 0 { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func whileTheDatabaseIsDownBatchesAreRefusedAtOnceExceptOneProbe() async throws {
        let admission = WriteAdmission(limit: 1000, deadline: .seconds(10))
        await #expect(throws: Down.self) { _ = try await admission.write(count: 1) { () async throws -> Int in throw Down() } }
        #expect(admission.isDown)
        let (gate, open) = AsyncStream<Void>.makeStream()
        let probe = Task { try await admission.write(count: 1) { for await _ in gate { break }; return 7 } }
        try await Task.sleep(for: .milliseconds(50))
        do {
            _ = try await admission.write(count: 1) { 8 }
            Issue.record("a second batch went out while the probe was out")
        } catch let error as RPCError {
            #expect(error.code == .unavailable)
            #expect(error.message.contains("database is unreachable"))
        }
        open.yield()
        #expect(try await probe.value == 7)
        #expect(try await admission.write(count: 1) { 9 } == 9)
    }
}
