import WaterlineProto

/// A failed RPC: a gRPC-style status code, a message for humans, and the fields that
/// failed validation. Servers throw it from handlers; clients receive it.
public struct RPCError: Error, CustomStringConvertible, Sendable, Equatable {
    public var code: RpcStatusCode
    public var message: String
    public var violations: [FieldViolation]
    /// With RESOURCE_EXHAUSTED: how long the server asks the caller to wait before
    /// resending, in ms (0: no hint). See ``Backoff``.
    public var retryAfterMs: Int64

    public init(_ code: RpcStatusCode, _ message: String, violations: [FieldViolation] = [], retryAfterMs: Int64 = 0) {
        self.code = code
        self.message = message
        self.violations = violations
        self.retryAfterMs = retryAfterMs
    }

    public static func invalidArgument(_ message: String, field: String? = nil) -> RPCError {
        var violations: [FieldViolation] = []
        if let field {
            var v = FieldViolation()
            v.field = field
            v.reason = message
            violations.append(v)
        }
        return RPCError(.invalidArgument, message, violations: violations)
    }
    public static func notFound(_ message: String) -> RPCError { RPCError(.notFound, message) }
    public static func unimplemented(_ message: String) -> RPCError { RPCError(.unimplemented, message) }
    public static func unavailable(_ message: String) -> RPCError { RPCError(.unavailable, message) }
    public static func internalError(_ message: String) -> RPCError { RPCError(.internal, message) }
    public static func deadlineExceeded(_ message: String) -> RPCError { RPCError(.deadlineExceeded, message) }
    /// The server is full: the caller should wait `retryAfter` before resending.
    public static func resourceExhausted(_ message: String, retryAfter: Duration? = nil) -> RPCError {
        RPCError(.resourceExhausted, message, retryAfterMs: retryAfter.map { Int64($0.totalMilliseconds.rounded(.up)) } ?? 0)
    }
    public static func failedPrecondition(_ message: String) -> RPCError { RPCError(.failedPrecondition, message) }

    public var description: String {
        let fields = violations.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
        return "\(code.name) — \(message)" + (fields.isEmpty ? "" : " [\(fields)]")
    }

    var wire: RpcErrorMessage {
        var m = RpcErrorMessage()
        m.code = code
        m.message = message
        m.violations = violations
        m.retryAfterMs = retryAfterMs
        return m
    }

    init(wire: RpcErrorMessage) {
        self.init(wire.code, wire.message, violations: wire.violations, retryAfterMs: max(0, wire.retryAfterMs))
    }
}

extension RpcStatusCode {
    /// The gRPC name, e.g. `INVALID_ARGUMENT`.
    public var name: String {
        switch self {
        case .ok: "OK"
        case .cancelled: "CANCELLED"
        case .unknown: "UNKNOWN"
        case .invalidArgument: "INVALID_ARGUMENT"
        case .deadlineExceeded: "DEADLINE_EXCEEDED"
        case .notFound: "NOT_FOUND"
        case .alreadyExists: "ALREADY_EXISTS"
        case .permissionDenied: "PERMISSION_DENIED"
        case .resourceExhausted: "RESOURCE_EXHAUSTED"
        case .failedPrecondition: "FAILED_PRECONDITION"
        case .aborted: "ABORTED"
        case .outOfRange: "OUT_OF_RANGE"
        case .unimplemented: "UNIMPLEMENTED"
        case .internal: "INTERNAL"
        case .unavailable: "UNAVAILABLE"
        case .dataLoss: "DATA_LOSS"
        case .unauthenticated: "UNAUTHENTICATED"
        case .UNRECOGNIZED(let raw): "STATUS_\(raw)"
        }
    }
}
