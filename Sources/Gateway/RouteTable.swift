import Foundation
import Hummingbird

/// The router, with a record of every route added to it and who may call it: the
/// OpenAPI document is checked against what the gateway really serves, and the access
/// policy is checked route by route (`gatewayRoutes()`).
final class RouteTable: @unchecked Sendable {
    // @unchecked: routes are added while the application is built, on one thread.
    typealias Handler = @Sendable (Request, GatewayContext) async throws -> Response

    struct Entry: Sendable {
        let method: String
        /// In OpenAPI's syntax: "/api/v1/events/{id}".
        let path: String
        let access: Access
    }

    let router: Router<GatewayContext>
    private(set) var entries: [Entry] = []

    init(router: Router<GatewayContext>) {
        self.router = router
    }

    func get(_ path: String, _ access: Access, use handler: @escaping Handler) {
        record("GET", path, access)
        router.get(RouterPath(path), use: guarded(access, handler))
    }

    func post(_ path: String, _ access: Access, use handler: @escaping Handler) {
        record("POST", path, access)
        router.post(RouterPath(path), use: guarded(access, handler))
    }

    /// The handler behind the route's access check.
    private func guarded(_ access: Access, _ handler: @escaping Handler) -> Handler {
        { request, context in
            if let refusal = access.refusal(for: context.caller) { return refusal.response }
            return try await handler(request, context)
        }
    }

    /// ":id" segments become OpenAPI's "{id}".
    private func record(_ method: String, _ path: String, _ access: Access) {
        let openAPIPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        entries.append(Entry(method: method, path: openAPIPath, access: access))
    }
}
