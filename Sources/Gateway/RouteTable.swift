import Foundation
import Hummingbird

/// The router, with a record of every route added to it, so the OpenAPI document can be
/// checked against what the gateway really serves.
final class RouteTable: @unchecked Sendable {
    // @unchecked: routes are added while the application is built, on one thread.
    let router: Router<BasicRequestContext>
    private(set) var recorded: [String] = []

    init(router: Router<BasicRequestContext>) {
        self.router = router
    }

    func get(_ path: String, use handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> some ResponseGenerator) {
        record("GET", path)
        router.get(RouterPath(path), use: handler)
    }

    func post(_ path: String, use handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> some ResponseGenerator) {
        record("POST", path)
        router.post(RouterPath(path), use: handler)
    }

    /// ":id" segments become OpenAPI's "{id}".
    private func record(_ method: String, _ path: String) {
        let openAPIPath = path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
        recorded.append("\(method) \(openAPIPath)")
    }
}
