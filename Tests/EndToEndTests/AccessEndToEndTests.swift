import Accounts
import Foundation
import Gateway
import Testing
import WaterlineTestSupport

/// The access policy, walked route by route on the running gateway: every client route
/// refuses anonymous callers (401) and the public role (403); administrator routes also
/// refuse clients without the flag; the routes open to anyone are exactly the listed
/// ones. Forged, expired and disabled users' tokens are refused everywhere.
@Suite(.serialized, .timeLimit(.minutes(20))) struct AccessEndToEndTests {
    /// What anyone may call. A new route is a client route unless it is added here too.
    static let openToAnyone: Set<String> = [
        "GET /api/v1/openapi.json", "GET /api/v1/health/live", "POST /api/v1/auth/login", "GET /api/v1/auth/me",
        "GET /api/v1/public/levels", "POST /api/v1/public/reports",
    ]

    @Test func everyClientRouteRefusesAnonymousAndPublicCallers() async throws {
        let t = try await TestCluster.start("access")
        defer { Task { await t.stop() } }
        // A resident with a public account, and a client who is not an administrator.
        #expect(try await t.http.post("/api/v1/users", json: ["name": "pat", "password": "resident-pass", "role": "public"]).status == 201)
        #expect(try await t.http.post("/api/v1/users", json: ["name": "casey", "password": "engineer-pass", "role": "client"]).status == 201)
        for (body, field) in [
            (["name": "pat2", "password": "resident-pass", "role": "public", "admin": true], "admin"),
            (["name": "pat3", "password": "resident-pass", "admin": "yes"], "admin"),
            (["name": "pat", "password": "another-pass"], ""),
        ] as [([String: Any], String)] {
            let refused = try await t.http.post("/api/v1/users", json: body)
            let expected = field.isEmpty ? 409 : 422
            #expect(refused.status == expected && (field.isEmpty || (refused.json["error"] as? [String: Any])?["field"] as? String == field), "\(body): \(refused.text)")
        }
        let resident = try await t.anonymous.login("pat", "resident-pass")
        let engineer = try await t.anonymous.login("casey", "engineer-pass")
        #expect(try await resident.get("/api/v1/auth/me").json["role"] as? String == "public")
        #expect(try await t.anonymous.get("/api/v1/auth/me").json["anonymous"] as? Bool == true)

        let routes = try await gatewayRoutes()
        #expect(Set(routes.filter { $0.access == "anyone" }.map(\.description)) == Self.openToAnyone)
        #expect(routes.filter { $0.access == "admin" }.count == 9 && routes.count > 30, "\(routes)")
        for route in routes where route.access != "anyone" {
            let path = Self.concrete(route.path)
            let anonymous = try await t.anonymous.request(route.method, path, headers: [:])
            #expect(anonymous.status == 401, "\(route) anonymous: \(anonymous.status) \(anonymous.text)")
            #expect((anonymous.json["error"] as? [String: Any])?["code"] as? String == "unauthenticated", "\(route)")
            let publicRole = try await resident.request(route.method, path, headers: [:])
            #expect(publicRole.status == 403, "\(route) as public: \(publicRole.status) \(publicRole.text)")
            if route.path == "/api/v1/stream" {
                // Endless: only its start is awaited.
                let stream = try EventStreamClient(port: t.cluster.ports.http, path: path, headers: ["Authorization": "Bearer \(engineer.token ?? "")"])
                #expect(try await t.eventually(timeout: .seconds(10)) { stream.status != 0 })
                #expect(stream.status == 200, "\(route) as a client: \(stream.status)")
                stream.close()
                continue
            }
            let client = try await engineer.request(route.method, path, headers: [:])
            if route.access == "admin" {
                #expect(client.status == 403, "\(route) as a client without admin: \(client.status)")
            } else {
                #expect(client.status != 401 && client.status != 403, "\(route) as a client: \(client.status) \(client.text)")
            }
        }
        // The administrator reaches the admin routes.
        #expect(try await t.http.get("/api/v1/users").status == 200)

        // Tokens: forged, expired, another scheme, a disabled user's.
        let forger = await TokenSigner(secret: Array("not the gateway's secret, 32+ bytes".utf8))
        let (forged, _) = try await forger.issue(for: Caller(name: t.operatorName, role: .client, admin: true))
        let secret = try TokenSecret.load(secret: nil, file: t.directory.appendingPathComponent("gateway/jwt-secret").path)
        let (expired, _) = try await TokenSigner(secret: secret).issue(for: Caller(name: t.operatorName, role: .client, admin: true), now: Date().addingTimeInterval(-86_400))
        for (what, token) in [("forged", forged), ("expired", expired)] {
            let reply = try await t.anonymous.authorized(token).get("/api/v1/events")
            #expect(reply.status == 401 && reply.headers["www-authenticate"]?.contains("invalid_token") == true, "\(what): \(reply.status)")
        }
        #expect(try await t.anonymous.get("/api/v1/events", headers: ["Authorization": "Basic b3BlcmF0b3I6eA=="]).status == 401)
        // The query-string token is for the event stream only.
        #expect(try await t.anonymous.get("/api/v1/events?access_token=\(t.http.token ?? "")").status == 401)
        #expect(try await engineer.get("/api/v1/events").status == 200)
        #expect(try await t.http.post("/api/v1/users/casey/disable", json: [:] as [String: Any]).status == 200)
        #expect(try await t.eventually(timeout: .seconds(20)) { try await engineer.get("/api/v1/events").status == 401 })
        let login = try await t.anonymous.post("/api/v1/auth/login", json: ["name": "casey", "password": "engineer-pass"])
        #expect(login.status == 401)
        #expect(try await t.http.post("/api/v1/users/\(t.operatorName)/disable", json: [:] as [String: Any]).status == 409)
    }

    @Test func loginsAreRateLimitedPerAddress() async throws {
        let t = try await TestCluster.start("login-limit", environment: ["WATERLINE_LOGINS_PER_MINUTE": "3"])
        defer { Task { await t.stop() } }
        // The cluster's own login used one of the three.
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(try await t.anonymous.post("/api/v1/auth/login", json: ["name": "operator", "password": "wrong password"]).status) }
        #expect(statuses == [401, 401, 429], "\(statuses)")
        let limited = try await t.anonymous.post("/api/v1/auth/login", json: ["name": t.operatorName, "password": t.operatorPassword])
        let wait = Int(limited.headers["retry-after"] ?? "") ?? 0
        #expect(limited.status == 429 && (1...60).contains(wait), "\(limited.headers)")
    }

    @Test func theUsersCommandManagesAccountsTheGatewayHonours() async throws {
        let t = try await TestCluster.start("users-cli")
        defer { Task { await t.stop() } }
        let added = try await Self.waterline(["users", "add", "casey", "--role", "client", "--mongo-uri", t.cluster.mongoURI])
        #expect(added.status == 0, "\(added.output)")
        let password = added.output.split(separator: "\n").first { $0.hasPrefix("password: ") }.map { String($0.dropFirst(10)) }
        let casey = try await t.anonymous.login("casey", try #require(password, "\(added.output)"))
        #expect(try await casey.get("/api/v1/auth/me").json["role"] as? String == "client")
        #expect(try await Self.waterline(["users", "add", "casey", "--mongo-uri", t.cluster.mongoURI]).status == 1)
        #expect(try await Self.waterline(["users", "disable", "casey", "--mongo-uri", t.cluster.mongoURI]).status == 0)
        let list = try await Self.waterline(["users", "list", "--mongo-uri", t.cluster.mongoURI])
        #expect(list.output.contains("casey") && list.output.contains("DISABLED") && list.output.contains(t.operatorName), "\(list.output)")
        #expect(try await t.anonymous.post("/api/v1/auth/login", json: ["name": "casey", "password": password ?? ""]).status == 401)
        #expect(try await t.eventually(timeout: .seconds(20)) { try await casey.get("/api/v1/events").status == 401 })
    }

    /// Runs the `waterline` command line; its exit status and output.
    static func waterline(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = TestEnvironment.binDirectory.appendingPathComponent("waterline")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return (process.terminationStatus, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// A concrete path for a route: each `{parameter}` becomes a made-up value.
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "no-such-thing", options: .regularExpression)
    }
}
