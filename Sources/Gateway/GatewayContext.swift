import Accounts
import Foundation
import Hummingbird

/// Each request's context: who is calling (set by `AuthMiddleware`) and from where.
struct GatewayContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The token's user, or `Caller.anonymous`.
    var caller: Caller = .anonymous
    /// When the caller's token expires (nil: no token).
    var tokenExpires: Date?
    /// The peer's IP address (for rate limits); empty when unknown.
    let clientAddress: String

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress ?? ""
    }
}
