import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The gateway's REST API as a client of it sees it: a login, then JSON with a bearer token.
struct GatewayREST: Sendable {
    let base: String
    let token: String

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Logs in as `name`.
    static func login(base: String, name: String, password: String) async throws -> GatewayREST {
        let (status, json) = try await send(base + "/api/v1/auth/login", token: nil, body: ["name": name, "password": password])
        guard status == 200, let token = json["token"] as? String else {
            throw Failure(description: "login to \(base) as \(name) failed: HTTP \(status) \(json)")
        }
        return GatewayREST(base: base, token: token)
    }

    /// GET `path`; the reply's JSON object (an error status throws, with the gateway's reason).
    func get(_ path: String) async throws -> [String: Any] {
        let (status, json) = try await Self.send(base + path, token: token, body: nil)
        guard status == 200 else { throw Failure(description: "GET \(path): HTTP \(status) \(json)") }
        return json
    }

    /// Every event of `type` (newest start first, a page of 1,000 at a time).
    func events(type: String) async throws -> [[String: Any]] {
        var all: [String: [String: Any]] = [:]
        var to: Int64 = 0
        while true {
            let page = (try await get("/api/v1/events?type=\(type)&limit=1000" + (to > 0 ? "&to=\(to)" : ""))["events"] as? [[String: Any]]) ?? []
            let before = all.count
            for e in page { if let id = e["event_id"] as? String { all[id] = e } }
            guard page.count == 1000, all.count > before, let oldest = page.compactMap({ Self.ms($0["start_ms"]) }).min() else { break }
            to = oldest
        }
        return Array(all.values)
    }

    /// A JSON number as epoch milliseconds (nil for null or missing).
    static func ms(_ value: Any?) -> Int64? {
        (value as? NSNumber).map { $0.int64Value }
    }

    private static func send(_ url: String, token: String?, body: [String: Any]?) async throws -> (Int, [String: Any]) {
        guard let address = URL(string: url) else { throw Failure(description: "not a URL: \(url)") }
        var request = URLRequest(url: address)
        request.timeoutInterval = 120
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpMethod = "POST"
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = ((try? JSONSerialization.jsonObject(with: data)) as? [String: Any]) ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, json)
    }
}
