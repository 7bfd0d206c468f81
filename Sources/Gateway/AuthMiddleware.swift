import Accounts
import Foundation
import Hummingbird

/// Reads the caller from `Authorization: Bearer <token>` (or, for the event stream only,
/// `?access_token=`, because a browser's EventSource cannot send headers). No token: an
/// anonymous caller. A token that is malformed, forged, expired, or whose user has since
/// been disabled: 401, whatever the route.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = GatewayContext
    let signer: TokenSigner
    let accounts: AccountCheck

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = Self.token(in: request) else { return try await next(request, context) }
        guard let (caller, expires) = await signer.verify(token) else {
            return Self.invalidToken("the token is malformed, expired or not ours; log in again")
        }
        switch await accounts.state(of: caller.name) {
        case .active: break
        case .inactive: return Self.invalidToken("the account '\(caller.name)' is disabled")
        case .unknown:
            return APIError(status: .serviceUnavailable, code: "unavailable", message: "the account store cannot be reached; try again shortly").response
        }
        var context = context
        context.caller = caller
        context.tokenExpires = expires
        return try await next(request, context)
    }

    static func token(in request: Request) -> String? {
        if let header = request.headers[.authorization] {
            let parts = header.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" { return String(parts[1]).trimmingCharacters(in: .whitespaces) }
            return ""  // another scheme: treated as a bad token, never as anonymous
        }
        if request.uri.path == "/api/v1/stream", let token = request.uri.queryParameters["access_token"] { return String(token) }
        return nil
    }

    private static func invalidToken(_ message: String) -> Response {
        var response = APIError(status: .unauthorized, code: "invalid_token", message: message).response
        response.headers[.wwwAuthenticate] = #"Bearer error="invalid_token""#
        return response
    }
}

/// Whether a token's user is still enabled, from the `users` collection, remembered for
/// a few seconds so that most requests cost no lookup (concurrent first requests of one
/// user may each look it up).
actor AccountCheck {
    let store: UserStore
    let memory: Duration
    private var known: [String: (active: Bool, at: ContinuousClock.Instant)] = [:]

    init(store: UserStore, memory: Duration = .seconds(5)) {
        self.store = store
        self.memory = memory
    }

    enum State { case active, inactive, unknown }

    func state(of name: String) async -> State {
        let now = ContinuousClock.now
        if let entry = known[name], now - entry.at < memory { return entry.active ? .active : .inactive }
        let user: User?
        do { user = try await store.find(name) } catch {
            // The database is away: what was known stands (and is not asked again for a
            // while); a user never seen cannot be told apart from a disabled one.
            guard let entry = known[name] else { return .unknown }
            known[name] = (entry.active, now)
            return entry.active ? .active : .inactive
        }
        let active = user.map { !$0.disabled } ?? false
        if known.count > 10_000 { known.removeAll() }
        known[name] = (active, now)
        return active ? .active : .inactive
    }
}
