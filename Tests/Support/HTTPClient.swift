import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small HTTP client for tests against the gateway.
public struct TestHTTP: Sendable {
    public let base: String

    public init(base: String) { self.base = base }

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
        request.timeoutInterval = 30
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
