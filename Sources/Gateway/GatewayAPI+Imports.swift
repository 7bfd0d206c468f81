import Foundation
import Hummingbird
import WaterlineBus
import WaterlineKit

// MARK: History imports (administrators)

extension GatewayAPI {
    func addImportRoutes(to routes: RouteTable) {
        routes.post("/api/v1/imports", .admin) { request, context in
            await respond {
                let name = request.uri.queryParameters["name"].map(String.init) ?? "upload.csv"
                guard !name.isEmpty, name.count <= 200, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                    throw APIError.unprocessable("name must be 1 to 200 printable characters", field: "name")
                }
                let (file, bytes) = try await self.imports.receive(request.body)
                guard bytes > 0 else {
                    try? FileManager.default.removeItem(at: file)
                    throw APIError.unprocessable("the body must be the history file (CSV, long or wide, or gzip)", field: "body")
                }
                let record = try await self.imports.start(file: file, name: name, bytes: bytes, requestedBy: context.caller.name)
                var response = jsonResponse(record.json(nowMs: nowMs()), status: .accepted)
                response.headers[.location] = "/api/v1/imports/\(record.id)"
                return response
            }
        }
        routes.get("/api/v1/imports", .admin) { request, _ in
            await respond {
                let limit = try self.int64(request, "limit") ?? 20
                guard (1...200).contains(limit) else { throw APIError.unprocessable("limit must be from 1 to 200", field: "limit") }
                let now = nowMs()
                return jsonResponse(["imports": try await self.imports.list(limit: Int(limit)).map { $0.json(nowMs: now) }])
            }
        }
        routes.get("/api/v1/imports/:id", .admin) { _, context in
            await respond {
                let id = try context.parameters.require("id")
                guard let record = try await self.imports.get(id) else {
                    throw APIError(status: .notFound, code: "not_found", message: "no import \(id)")
                }
                return jsonResponse(record.json(nowMs: nowMs()))
            }
        }
    }
}
