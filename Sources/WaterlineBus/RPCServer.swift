import Foundation
import Logging
import SwiftProtobuf
import WaterlineProto
import ZeroMQ

/// What a handler knows about the call it serves.
public struct RPCContext: Sendable {
    public let method: String
    public let requestID: UInt64
    /// Milliseconds since the epoch after which the caller has given up; 0 = none.
    public let deadlineMs: Int64
    /// The request's payload as received, before decoding: a resend's bytes are the
    /// same, so a handler can recognise one without encoding the request again.
    public let payload: [UInt8]

    /// Whether the caller has given up already (work for it would be wasted).
    public var isExpired: Bool { deadlineMs > 0 && nowMs() > deadlineMs }

    /// The caller's deadline on the monotonic clock (nil: none).
    public var deadline: ContinuousClock.Instant? {
        deadlineMs > 0 ? ContinuousClock.now + .milliseconds(deadlineMs - nowMs()) : nil
    }
}

/// Serves RPCs on a ROUTER socket: decodes the frames, finds the handler by method
/// name, runs it as a task and sends the reply. A malformed frame, an undecodable
/// payload or an unknown method gets an error reply; nothing stops the server.
///
/// Under overload it sheds work rather than queueing it: a call whose deadline passed
/// while it waited is dropped unserved, and beyond `maxInFlight` calls a new one is
/// answered RESOURCE_EXHAUSTED with a retry hint.
public final class RPCServer: Sendable {
    typealias Handler = @Sendable ([UInt8], RPCContext) async throws -> [UInt8]

    private struct Call: Sendable {
        let peer: [UInt8]
        let request: RPCFrames.Request
    }

    public let name: String
    public let endpoint: String
    private let worker: SocketWorker
    private let handlers = Locked<[String: Handler]>([:])
    private let incoming: AsyncStream<Call>
    private let incomingContinuation: AsyncStream<Call>.Continuation
    private let maxInFlight: Int
    private let logger: Logger
    private let counts = Locked<[String: UInt64]>([:])
    /// What a busy server asks callers to wait before resending.
    static let busyRetryAfter = Duration.milliseconds(250)

    /// Binds `endpoint` (e.g. `tcp://0.0.0.0:7001`, or `tcp://127.0.0.1:*` for a free port).
    public init(
        name: String, bind endpoint: String, maxMessageBytes: Int64 = 64 << 20,
        maxInFlight: Int = 256, logger: Logger
    ) throws {
        self.name = name
        self.maxInFlight = maxInFlight
        self.logger = logger
        let (stream, continuation) = AsyncStream<Call>.makeStream()
        incoming = stream
        incomingContinuation = continuation
        let log = logger
        worker = try SocketWorker(
            name: "\(name)-rpc", type: .router,
            configure: { socket in
                try socket.setMaxMessageSize(maxMessageBytes)
                try socket.setReceiveHighWaterMark(10_000)
                try socket.bind(endpoint)
            },
            onReceive: { frames in
                guard frames.count >= 2 else { return }
                let peer = frames[0]
                do {
                    let request = try RPCFrames.decodeRequest(frames.dropFirst())
                    continuation.yield(Call(peer: peer, request: request))
                } catch {
                    log.warning("rpc: dropped malformed request frames", metadata: ["error": "\(error)"])
                }
            })
        self.endpoint = worker.boundEndpoint
    }

    /// Registers the handler for `method`. Call before ``run()``.
    public func register<Request, Response>(
        _ method: RPCMethod<Request, Response>,
        _ handler: @escaping @Sendable (Request, RPCContext) async throws -> Response
    ) {
        let typeName = Request.protoMessageName
        let erased: Handler = { payload, context in
            let request: Request
            do {
                request = try Request(serializedBytes: payload)
            } catch {
                throw RPCError.invalidArgument("payload is not a valid \(typeName): \(error)", field: "payload")
            }
            let response = try await handler(request, context)
            return try response.serializedBytes()
        }
        handlers.withLock { $0[method.name] = erased }
    }

    /// Serves until ``beginShutdown()``; then finishes every call in flight, sends its
    /// reply and closes the socket.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            let inFlight = Locked(0)
            for await call in incoming {
                if inFlight.value >= maxInFlight {
                    count("rpc_refused_busy")
                    reply(call, error: .resourceExhausted(
                        "server busy: \(maxInFlight) calls in flight; retry later", retryAfter: Self.busyRetryAfter))
                    continue
                }
                inFlight.withLock { $0 += 1 }
                group.addTask {
                    await self.serve(call)
                    inFlight.withLock { $0 -= 1 }
                }
            }
            await group.waitForAll()
        }
        await worker.stop()
    }

    /// Stops taking new calls; ``run()`` returns once the calls in flight are answered.
    public func beginShutdown() {
        incomingContinuation.finish()
    }

    private func serve(_ call: Call) async {
        let request = call.request
        let context = RPCContext(
            method: request.method, requestID: request.requestID, deadlineMs: request.deadlineMs, payload: request.payload)
        if context.isExpired {
            // The caller has stopped waiting: its work would only delay the calls
            // behind it. (The reply is for a caller who lingers, e.g. a test.)
            count("rpc_dropped_expired")
            reply(call, error: .deadlineExceeded("deadline passed before the call was served"))
            return
        }
        guard let handler = handlers.withLock({ $0[request.method] }) else {
            reply(call, error: .unimplemented("unknown method '\(request.method)'"))
            return
        }
        do {
            let payload = try await handler(request.payload, context)
            send(call, status: 0, payload: payload)
        } catch let error as RPCError {
            reply(call, error: error)
        } catch {
            logger.error("rpc: \(request.method) failed", metadata: ["error": "\(error)"])
            reply(call, error: .internalError("\(error)"))
        }
    }

    /// Calls dropped (deadline passed before they were served) and refused (too many in
    /// flight) so far, as `rpc_dropped_expired` and `rpc_refused_busy`.
    public var counters: [String: UInt64] { counts.value }

    private func count(_ key: String) {
        counts.withLock { $0[key, default: 0] += 1 }
    }

    private func reply(_ call: Call, error: RPCError) {
        let payload = (try? error.wire.serializedBytes() as [UInt8]) ?? []
        send(call, status: Int32(error.code.rawValue), payload: payload)
    }

    private func send(_ call: Call, status: Int32, payload: [UInt8]) {
        let frames = RPCFrames.encode(RPCFrames.Reply(requestID: call.request.requestID, status: status, payload: payload))
        if !worker.send([call.peer] + frames) {
            logger.warning("rpc: reply to \(call.request.method) not queued (socket closing or full)")
        }
    }
}
