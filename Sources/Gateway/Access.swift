import Accounts
import Hummingbird

/// Who may call a route. Every route is added with one, so the route table is the
/// whole access policy (and a test walks it).
enum Access: String, Sendable {
    /// Anyone, logged in or not: the public pages, login, the API description.
    case anyone
    /// The utility's staff (role `client`).
    case client
    /// Clients with the admin flag: users and settings.
    case admin

    /// Nil when `caller` may call; else the refusal (401 when not logged in, 403 when
    /// logged in without the right).
    func refusal(for caller: Caller) -> APIError? {
        switch self {
        case .anyone: return nil
        case .client, .admin:
            if caller.isAnonymous {
                return APIError(status: .unauthorized, code: "unauthenticated", message: "log in first: this needs a client account's token (Authorization: Bearer ...)")
            }
            guard caller.role == .client else {
                return APIError(status: .forbidden, code: "forbidden", message: "this needs a client account; '\(caller.name)' has the role \(caller.role.rawValue)")
            }
            if self == .admin && !caller.admin {
                return APIError(status: .forbidden, code: "forbidden", message: "this needs an administrator; '\(caller.name)' is not one")
            }
            return nil
        }
    }
}
