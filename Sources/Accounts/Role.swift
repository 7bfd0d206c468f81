/// Who a caller is to the gateway.
///
/// `client`: the utility's staff, who see and do everything (an `admin` flag on a client
/// also manages users and settings). `public`: residents, who may only see water levels
/// near a place and file a leak report; anonymous callers act as `public`.
public enum Role: String, Sendable, CaseIterable, Codable {
    case client
    case `public`
}

/// An authenticated caller (or an anonymous one, as `public`).
public struct Caller: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var admin: Bool

    public init(name: String, role: Role, admin: Bool) {
        self.name = name
        self.role = role
        self.admin = admin && role == .client
    }

    public static let anonymous = Caller(name: "", role: .public, admin: false)
    public var isAnonymous: Bool { name.isEmpty }
}
