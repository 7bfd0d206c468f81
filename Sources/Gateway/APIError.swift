import Foundation
import Hummingbird
import WaterlineBus
import WaterlineProto

/// An error answered as JSON: `{"error": {"status", "code", "message", "field"}}`.
struct APIError: Error {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    var field: String?
    /// Seconds for `Retry-After` (429 and 503 only; default 1).
    var retryAfter: Int?

    init(status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    static func badRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(status: .badRequest, code: "malformed_request", message: message, field: field)
    }

    static func unprocessable(_ message: String, field: String? = nil) -> APIError {
        APIError(status: .unprocessableContent, code: "invalid_value", message: message, field: field)
    }

    /// Maps an RPC failure of a backing service to the HTTP status a client can act on.
    init(_ error: RPCError, service: String) {
        field = error.violations.first?.field
        message = "\(service): \(error.message)"
        code = error.code.name.lowercased()
        switch error.code {
        case .invalidArgument: status = .unprocessableContent
        case .notFound: status = .notFound
        case .failedPrecondition, .alreadyExists, .aborted: status = .conflict
        // A service at its limit (ingest with too many readings waiting for the
        // database) or down: 503 with Retry-After, and the client resends.
        case .resourceExhausted: status = .serviceUnavailable; message = "\(service) busy: \(error.message)"
            // The service's own retry hint, in whole seconds (HTTP's unit).
            if error.retryAfterMs > 0 { retryAfter = Int((error.retryAfterMs + 999) / 1000) }
        case .unavailable, .deadlineExceeded: status = .serviceUnavailable; message = "\(service) unavailable: \(error.message)"
        case .unimplemented: status = .notImplemented
        default: status = .internalServerError
        }
    }

    var response: Response {
        var body: [String: Any] = ["status": status.code, "code": code, "message": message]
        if let field { body["field"] = field }
        var response = jsonResponse(["error": body], status: status)
        if status == .serviceUnavailable || status == .tooManyRequests {
            response.headers[.retryAfter] = String(retryAfter ?? 1)
        }
        return response
    }
}

/// A JSON response from plain dictionaries and arrays.
func jsonResponse(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
    let data = jsonData(object)
    return Response(
        status: status, headers: [.contentType: "application/json; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

/// Plain dictionaries and arrays as JSON, keys sorted (`{}` if they cannot be).
func jsonData(_ object: Any) -> Data {
    (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
}
