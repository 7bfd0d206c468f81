import Foundation
import Gateway
import Testing
import WaterlineTestSupport

/// The OpenAPI document against the gateway: it describes exactly the routes the gateway
/// serves, and every operation, called on the running system with made-up ids, malformed
/// bodies and malformed numbers, answers one of its documented statuses and never 5xx;
/// then schemathesis generates valid and invalid requests from the document's schemas
/// for every operation. On the way: security headers on every response, CORS only for
/// the allowed origin.
@Suite(.serialized, .timeLimit(.minutes(20))) struct OpenAPIEndToEndTests {
    static func operations(_ document: [String: Any]) -> [(method: String, path: String, responses: Set<Int>, parameters: [[String: Any]])] {
        let paths = document["paths"] as? [String: [String: Any]] ?? [:]
        return paths.flatMap { path, methods in
            methods.compactMap { method, value -> (String, String, Set<Int>, [[String: Any]])? in
                guard let op = value as? [String: Any] else { return nil }
                let codes = Set(((op["responses"] as? [String: Any]) ?? [:]).keys.compactMap { Int($0) })
                return (method.uppercased(), path, codes, op["parameters"] as? [[String: Any]] ?? [])
            }
        }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
    }

    @Test func theDocumentDescribesEveryRouteAndNoOperationAnswers5xx() async throws {
        let allowed = "http://dashboard.example"
        let t = try await TestCluster.start("openapi", environment: ["WATERLINE_CORS_ORIGINS": allowed])
        defer { Task { await t.stop() } }
        let reply = try await t.http.get("/api/v1/openapi.json")
        #expect(reply.status == 200)
        #expect(reply.headers.first { $0.key.lowercased() == "content-type" }?.value.contains("application/json") == true)
        // Security headers on every response; CORS only for the allowed origin.
        #expect(reply.headers["x-content-type-options"] == "nosniff" && reply.headers["x-frame-options"] == "DENY")
        #expect(reply.headers["content-security-policy"]?.contains("default-src 'self'") == true)
        #expect(reply.headers["access-control-allow-origin"] == nil)
        let fromDashboard = try await t.http.get("/api/v1/summary", headers: ["Origin": allowed])
        #expect(fromDashboard.status == 200 && fromDashboard.headers["access-control-allow-origin"] == allowed)
        let fromElsewhere = try await t.http.get("/api/v1/summary", headers: ["Origin": "http://evil.example"])
        #expect(fromElsewhere.headers["access-control-allow-origin"] == nil)
        let preflight = try await t.http.request("OPTIONS", "/api/v1/events/x/acknowledge", headers: ["Origin": allowed, "Access-Control-Request-Method": "POST"])
        #expect(preflight.status == 204 && preflight.headers["access-control-allow-methods"]?.contains("POST") == true)
        let refused = try await t.http.request("OPTIONS", "/api/v1/events/x/acknowledge", headers: ["Origin": "http://evil.example", "Access-Control-Request-Method": "POST"])
        #expect(refused.status == 403)
        let document = reply.json
        #expect(document["openapi"] as? String == "3.1.0")
        let operations = Self.operations(document)

        // Exactly the gateway's routes, no more, no fewer.
        let documented = Set(operations.map { "\($0.method) \($0.path)" })
        let served = Set(try await gatewayRoutes().map(\.description))
        #expect(documented == served, "undocumented: \(served.subtracting(documented).sorted()), not served: \(documented.subtracting(served).sorted())")

        // Every operation with made-up ids and bad input: a documented status, never 5xx.
        // (404 for an unknown id, 400 for a malformed body and 413 apply to every route.)
        let always: Set<Int> = [400, 404, 413]
        for op in operations where op.path != "/api/v1/stream" {  // endless; AccessEndToEndTests and PublicEndToEndTests open it
            let path = AccessEndToEndTests.concrete(op.path)
            let numeric = op.parameters.filter { ($0["schema"] as? [String: Any])?["type"] as? String == "integer" }.compactMap { $0["name"] as? String }
            var attempts: [(String, TestHTTP.Reply)] = []
            if op.method == "GET" {
                attempts.append(("plain", try await t.http.get(path)))
                if let name = numeric.first { attempts.append(("\(name)=abc", try await t.http.get("\(path)?\(name)=abc"))) }
            } else {
                attempts.append(("malformed body", try await t.http.post(path, raw: Data("{\"actor\":".utf8))))
                attempts.append(("empty object", try await t.http.post(path, json: [String: Any]())))
                attempts.append(("wrong types", try await t.http.post(path, json: ["readings": 3, "actor": 7, "comment": false])))
            }
            for (what, answer) in attempts {
                #expect(answer.status < 500, "\(op.method) \(path) (\(what)) answered \(answer.status): \(answer.text)")
                #expect(op.responses.union(always).contains(answer.status), "\(op.method) \(path) (\(what)) answered an undocumented \(answer.status): \(answer.text)")
            }
        }

        // schemathesis: generated valid and invalid input for every operation but the
        // endless stream, as the administrator; no 5xx and only documented statuses.
        let (status, output) = try await Self.schemathesis(base: t.cluster.gatewayURL, token: t.http.token ?? "")
        let summary = output.split(separator: "\n").filter { $0.contains("generated") || $0.contains("Tested:") || $0.contains("Failures") }
        print("schemathesis: \(summary.joined(separator: "; "))")
        #expect(status == 0, "schemathesis found failures:\n\(output.suffix(6000))")
        #expect(output.contains("passed") && !output.contains(" 0 generated"), "\(output.suffix(2000))")
    }

    /// Runs `st run` against the gateway; its exit status and output.
    static func schemathesis(base: String, token: String) async throws -> (Int32, String) {
        let st = TestEnvironment.schemathesis
        guard FileManager.default.isExecutableFile(atPath: st) else {
            throw TestHTTPError(description: "schemathesis not found at \(st): run 'make setup' (requirements-dev.txt) or set WATERLINE_SCHEMATHESIS")
        }
        let seed = ProcessInfo.processInfo.environment["WATERLINE_SCHEMATHESIS_SEED"] ?? "20261129"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: st)
        process.arguments = [
            "--no-color", "run", "\(base)/api/v1/openapi.json", "--url", base, "-H", "Authorization: Bearer \(token)",
            "--checks", "not_a_server_error,status_code_conformance", "--max-examples", "20", "--exclude-path", "/api/v1/stream",
            "--workers", "1", "--seed", seed,
        ]
        // Its cache and crash files go to a scratch folder, not the repository.
        let scratch = try TestEnvironment.scratchDirectory("schemathesis")
        defer { try? FileManager.default.removeItem(at: scratch) }
        process.currentDirectoryURL = scratch
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.environment = ProcessInfo.processInfo.environment.merging(["SCHEMATHESIS_TELEMETRY": "false"]) { _, new in new }
        try process.run()
        // Read while it runs: its report can outgrow the pipe's buffer.
        let reader = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        return (process.terminationStatus, String(decoding: await reader.value, as: UTF8.self))
    }
}
