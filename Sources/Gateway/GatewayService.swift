import Foundation
import Hummingbird
import ServiceLifecycle
import WaterlineKit

/// Runs the HTTP application and the live feed as a service. Graceful shutdown ends
/// the open event streams first, so draining the open requests does not wait on them.
public struct GatewayService<App: ApplicationProtocol>: Service {
    let app: App
    let feed: LiveFeed

    init(app: App, feed: LiveFeed) {
        self.app = app
        self.feed = feed
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.feed.run() }
                group.addTask { try await self.app.run() }
                // Whichever ends first (the server stopped, or failed to start), the feed
                // is closed and the rest cancelled, so the process exits.
                do { try await group.next() } catch {
                    await self.feed.close()
                    group.cancelAll()
                    throw error
                }
                await self.feed.close()
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task { await self.feed.close() }
        }
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
