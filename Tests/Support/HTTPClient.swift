import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small HTTP client for tests against the gateway.
public struct TestHTTP: Sendable {
    public let base: String
    /// Sent as `Authorization: Bearer <token>` with every request when set.
    public let token: String?

    public init(base: String, token: String? = nil) {
        self.base = base
        self.token = token
    }

    /// The same client, sending `token`.
    public func authorized(_ token: String?) -> TestHTTP { TestHTTP(base: base, token: token) }

    /// Logs in and returns a client that sends the token.
    public func login(_ name: String, _ password: String) async throws -> TestHTTP {
        let reply = try await post("/api/v1/auth/login", json: ["name": name, "password": password])
        guard reply.status == 200, let token = reply.json["token"] as? String else {
            throw TestHTTPError(description: "login as \(name) failed: HTTP \(reply.status) \(reply.text)")
        }
        return authorized(token)
    }

    public struct Reply: Sendable {
        public let status: Int
        public let body: Data
        public let headers: [String: String]
        /// The body parsed as a JSON object (empty when it is not one).
        public var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public func get(_ path: String, headers: [String: String] = [:]) async throws -> Reply {
        try await send("GET", path, body: nil, headers: headers)
    }

    /// Any method, with extra headers (an `Origin`, say).
    public func request(_ method: String, _ path: String, headers: [String: String]) async throws -> Reply {
        try await send(method, path, body: nil, headers: headers)
    }

    public func post(_ path: String, json: Any) async throws -> Reply {
        try await send("POST", path, body: try JSONSerialization.data(withJSONObject: json))
    }

    public func post(_ path: String, raw: Data) async throws -> Reply {
        try await send("POST", path, body: raw)
    }

    private func send(_ method: String, _ path: String, body: Data?, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.timeoutInterval = 60
        if let token, headers["Authorization"] == nil { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        let headers = (http?.allHeaderFields ?? [:]).reduce(into: [String: String]()) { out, pair in
            out[String(describing: pair.key).lowercased()] = String(describing: pair.value)
        }
        return Reply(status: http?.statusCode ?? 0, body: data, headers: headers)
    }
}

public struct TestHTTPError: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}
