import Foundation
import SwiftProtobuf
import WaterlineProto
import ZeroMQ

/// Calls RPCs on one or more servers through a DEALER socket (which spreads requests
/// over every connected server). Replies are matched to calls by request id; a call
/// that has no reply by its deadline fails with `DEADLINE_EXCEEDED`.
public final class RPCClient: Sendable {
    private struct Pending {
        let continuation: CheckedContinuation<RPCFrames.Reply, any Error>
        let deadline: ContinuousClock.Instant
    }

    public let endpoints: [String]
    public let defaultTimeout: Duration
    private let worker: SocketWorker
    private let pending: Locked<[UInt64: Pending]>
    private let nextID = Locked<UInt64>(1)
    private let discovery: EndpointDiscovery

    public init(name: String, connect endpoints: [String], timeout: Duration = .seconds(5)) throws {
        self.endpoints = endpoints
        self.defaultTimeout = timeout
        let pending = Locked<[UInt64: Pending]>([:])
        self.pending = pending
        let discovery = EndpointDiscovery(endpoints)
        self.discovery = discovery
        worker = try SocketWorker(
            name: "\(name)-client", type: .dealer, tickMs: 20,
            configure: { socket in
                // Not ZMQ_IMMEDIATE (which would keep requests away from a replica that is
                // down): with it, libzmq drops a reply already received when the server
                // closes the connection right after sending it (a graceful stop), and the
                // call times out (RPCTests.shutdownFinishesCallsInFlight).
                for endpoint in discovery.initial { try socket.connect(endpoint) }
            },
            onReceive: { frames in
                guard let reply = try? RPCFrames.decodeReply(frames) else { return }
                let waiter = pending.withLock { $0.removeValue(forKey: reply.requestID) }
                waiter?.continuation.resume(returning: reply)
            },
            onTick: {
                let now = ContinuousClock.now
                let expired = pending.withLock { map -> [Pending] in
                    let ids = map.filter { $0.value.deadline <= now }.map(\.key)
                    return ids.compactMap { map.removeValue(forKey: $0) }
                }
                for waiter in expired {
                    waiter.continuation.resume(throwing: RPCError.deadlineExceeded("no reply within the deadline"))
                }
            })
        let worker = self.worker
        discovery.start { connect, disconnect in
            worker.perform { socket in socket.reconnect(connect: connect, disconnect: disconnect) }
        }
    }

    /// Calls `method`. An idempotent method is tried once more after a timeout, or after
    /// a RESOURCE_EXHAUSTED reply: never at once, but after a jittered pause that is at
    /// least the server's retry hint (``Backoff``), so a slow or full server is not
    /// handed the same work again while it is still on the first copy.
    /// A caller with a retry loop of its own (the replayer) passes `retry: false`, so
    /// that every resend is its own and it can count them.
    public func call<Request, Response>(
        _ method: RPCMethod<Request, Response>, _ request: Request, timeout: Duration? = nil, retry: Bool = true
    ) async throws(RPCError) -> Response {
        let payload: [UInt8]
        do { payload = try request.serializedBytes() } catch {
            throw RPCError.invalidArgument("request does not encode: \(error)")
        }
        let attempts = method.idempotent && retry ? 2 : 1
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(2))
        var lastError = RPCError.unavailable("not called")
        for attempt in 0..<attempts {
            if attempt > 0 {
                do { try await Task.sleep(for: backoff.next(hint: lastError.retryAfter)) } catch {
                    throw RPCError(.cancelled, "call cancelled")
                }
            }
            do {
                let reply = try await rawCall(method.name, payload: payload, timeout: timeout ?? defaultTimeout)
                return try decode(reply, as: Response.self, method: method.name)
            } catch let error where error.code == .deadlineExceeded {
                lastError = RPCError(.deadlineExceeded, "\(method.name): no reply from \(endpoints.joined(separator: ", ")) within the deadline")
            } catch let error where error.code == .resourceExhausted {
                lastError = error
            }
        }
        throw lastError
    }

    /// Sends raw payload bytes under any method name (tests use it to send malformed input).
    public func rawCall(_ method: String, payload: [UInt8], timeout: Duration) async throws(RPCError) -> RawReply {
        let id = nextID.withLock { n -> UInt64 in defer { n += 1 }; return n }
        let deadline = ContinuousClock.now + timeout
        let deadlineMs = nowMs() + Int64(timeout.components.seconds * 1000) + Int64(timeout.components.attoseconds / 1_000_000_000_000_000)
        let frames = RPCFrames.encode(RPCFrames.Request(method: method, requestID: id, deadlineMs: deadlineMs, payload: payload))
        do {
            let reply = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RPCFrames.Reply, any Error>) in
                    pending.withLock { $0[id] = Pending(continuation: continuation, deadline: deadline) }
                    if !worker.send(frames) {
                        let waiter = pending.withLock { $0.removeValue(forKey: id) }
                        waiter?.continuation.resume(throwing: RPCError.unavailable("client queue full or closed"))
                    }
                }
            } onCancel: {
                let waiter = pending.withLock { $0.removeValue(forKey: id) }
                waiter?.continuation.resume(throwing: RPCError(.cancelled, "call cancelled"))
            }
            return RawReply(status: RpcStatusCode(rawValue: Int(reply.status)) ?? .unknown, payload: reply.payload)
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError.internalError("\(error)")
        }
    }

    private func decode<Response: SwiftProtobuf.Message>(_ reply: RawReply, as: Response.Type, method: String) throws(RPCError) -> Response {
        guard reply.status == .ok else {
            if let wire = try? RpcErrorMessage(serializedBytes: reply.payload) {
                throw RPCError(wire: wire)
            }
            throw RPCError(reply.status, "\(method) failed with \(reply.status.name)")
        }
        do { return try Response(serializedBytes: reply.payload) } catch {
            throw RPCError.internalError("\(method): reply does not decode as \(Response.protoMessageName): \(error)")
        }
    }

    public func close() async {
        discovery.stop()
        await worker.stop()
        let waiters = pending.withLock { map -> [Pending] in
            let all = Array(map.values)
            map.removeAll()
            return all
        }
        for waiter in waiters { waiter.continuation.resume(throwing: RPCError.unavailable("client closed")) }
    }
}

/// A reply before decoding: its status and payload bytes.
public struct RawReply: Sendable {
    public let status: RpcStatusCode
    public let payload: [UInt8]

    /// The error carried by a non-OK reply.
    public var error: RPCError? {
        guard status != .ok else { return nil }
        if let wire = try? RpcErrorMessage(serializedBytes: payload) { return RPCError(wire: wire) }
        return RPCError(status, status.name)
    }
}
