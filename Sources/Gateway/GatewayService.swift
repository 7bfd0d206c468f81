import Foundation
import Hummingbird
import ServiceLifecycle
import WaterlineKit

/// Runs the HTTP application as a service (graceful shutdown drains open requests).
public struct GatewayService<App: ApplicationProtocol>: Service {
    let app: App

    public init(app: App) { self.app = app }

    public func run() async throws {
        try await app.run()
    }
}

/// The container health check: GET /api/v1/health/live on loopback.
public enum GatewayHealthcheck {
    public static func run(port: Int) -> Int32 {
        let status = HTTPProbe.get(port: port, path: "/api/v1/health/live")
        print(status == 0 ? "unhealthy: no answer on port \(port)" : "HTTP \(status)")
        return status == 200 ? 0 : 1
    }
}
