import Foundation
import WaterlineBus

/// Backpressure for writes of readings: ingest acknowledges a batch only once MongoDB
/// has stored it, so when MongoDB is slow or down the honest answer is to refuse new
/// batches rather than buffer them without bound. Three rules:
///
/// - at most `limit` readings wait for the database at any time (memory stays bounded);
///   beyond that a batch is refused with RESOURCE_EXHAUSTED;
/// - a write not confirmed within `deadline` is answered UNAVAILABLE (the client
///   resends; storage is idempotent, so a write that lands later is not doubled). The
///   readings still count against the limit until the write really ends;
/// - after a failed or timed-out write the database is taken to be down: batches are
///   refused at once with UNAVAILABLE until a write succeeds again (one batch at a
///   time is let through as a probe).
public final class WriteAdmission: Sendable {
    private struct State {
        var pending = 0
        var downSinceMs: Int64?
        var probing = false
        var lastError = ""
    }

    public let limit: Int
    public let deadline: Duration
    private let state = Locked(State())

    public init(limit: Int, deadline: Duration) {
        self.limit = limit
        self.deadline = deadline
    }

    /// Readings waiting for the database now.
    public var pending: Int { state.withLock { $0.pending } }
    public var isDown: Bool { state.withLock { $0.downSinceMs != nil } }

    /// Runs `write` for `count` readings under the rules above.
    public func write<T: Sendable>(count: Int, _ write: @escaping @Sendable () async throws -> T) async throws -> T {
        let isProbe = try admit(count)
        let outcome = Locked<CheckedContinuation<T, any Error>?>(nil)
        let timer = Locked<Task<Void, Never>?>(nil)
        return try await withCheckedThrowingContinuation { continuation in
            outcome.withLock { $0 = continuation }
            Task {
                let result: Result<T, any Error>
                do { result = .success(try await write()) } catch { result = .failure(error) }
                // Answer first (if the deadline has not), then count the write's end.
                let waiting = outcome.withLock { c in c.take() }
                timer.withLock { $0?.cancel() }
                self.finish(count, probe: isProbe, succeeded: (try? result.get()) != nil, error: result)
                waiting?.resume(with: result)
            }
            timer.withLock {
                $0 = Task {
                    guard (try? await Task.sleep(for: self.deadline)) != nil,
                        let waiting = outcome.withLock({ c in c.take() })
                    else { return }
                    // The write goes on (its readings count until it ends); another batch
                    // may probe meanwhile.
                    self.markDown("no answer within \(self.deadline)", probe: isProbe)
                    waiting.resume(throwing: RPCError.unavailable(
                        "the database did not confirm the write within \(self.deadline); nothing was acknowledged, resend the batch"))
                }
            }
        }
    }

    /// Admits a write or throws the refusal; true when it is the probe of a database
    /// taken to be down.
    private func admit(_ count: Int) throws(RPCError) -> Bool {
        let verdict = state.withLock { s -> Result<Bool, RPCError> in
            var probe = false
            if let since = s.downSinceMs {
                if s.probing {
                    let seconds = max(0, (nowMs() - since) / 1000)
                    return .failure(RPCError.unavailable(
                        "the database is unreachable (for \(seconds) s: \(s.lastError)); nothing was stored, retry shortly"))
                }
                probe = true
            }
            if s.pending + count > limit && s.pending > 0 {
                return .failure(RPCError.resourceExhausted(
                    "ingest has \(s.pending) readings waiting for the database (limit \(limit), WATERLINE_INGEST_MAX_PENDING); retry shortly"))
            }
            s.pending += count
            if probe { s.probing = true }
            return .success(probe)
        }
        return try verdict.get()
    }

    private func finish<T>(_ count: Int, probe: Bool, succeeded: Bool, error: Result<T, any Error>) {
        state.withLock { s in
            s.pending -= count
            if succeeded {
                s.downSinceMs = nil
                s.probing = false
            } else {
                if case .failure(let e) = error { s.lastError = "\(e)" }
                s.downSinceMs = s.downSinceMs ?? nowMs()
                if probe { s.probing = false }
            }
        }
    }

    private func markDown(_ reason: String, probe: Bool) {
        state.withLock { s in
            s.downSinceMs = s.downSinceMs ?? nowMs()
            s.lastError = reason
            if probe { s.probing = false }
        }
    }
}
