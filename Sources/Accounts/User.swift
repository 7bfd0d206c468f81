import Mongo

/// A stored account. The password is kept only as a bcrypt hash.
public struct User: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var admin: Bool
    public var disabled: Bool
    public var createdMs: Int64
    public var passwordHash: String

    public var caller: Caller { Caller(name: name, role: role, admin: admin) }

    var document: Document {
        [
            "_id": .string(name), "role": .string(role.rawValue), "admin": .bool(admin), "disabled": .bool(disabled),
            "created_ms": .int64(createdMs), "password_hash": .string(passwordHash),
        ]
    }

    init?(_ document: Document) {
        guard let name = document["_id"]?.stringValue, let role = document["role"]?.stringValue.flatMap(Role.init(rawValue:)),
            let hash = document["password_hash"]?.stringValue
        else { return nil }
        self.name = name
        self.role = role
        admin = document["admin"]?.boolValue ?? false
        disabled = document["disabled"]?.boolValue ?? false
        createdMs = document["created_ms"]?.int64Value ?? 0
        passwordHash = hash
    }

    init(name: String, role: Role, admin: Bool, createdMs: Int64, passwordHash: String) {
        self.name = name
        self.role = role
        self.admin = admin && role == .client
        disabled = false
        self.createdMs = createdMs
        self.passwordHash = passwordHash
    }
}
