import Foundation

/// What a user name and a password must look like.
public enum Credentials {
    /// Names: 3 to 64 characters, lower-case letters, digits and `. _ @ -`, starting
    /// with a letter or digit (they end up in logs and event histories).
    public static func validateName(_ name: String) throws(AccountError) {
        guard (3...64).contains(name.count) else { throw .invalid("the user name must be 3 to 64 characters long", field: "name") }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._@-")
        guard name.allSatisfy(allowed.contains) else {
            throw .invalid("the user name may hold only lower-case letters, digits and . _ @ -", field: "name")
        }
        guard let first = name.first, first.isLetter || first.isNumber else {
            throw .invalid("the user name must start with a letter or a digit", field: "name")
        }
    }

    /// Passwords: at least 10 characters, at most 72 bytes (bcrypt reads no further).
    public static func validatePassword(_ password: String) throws(AccountError) {
        guard password.count >= 10 else { throw .invalid("the password must be at least 10 characters long", field: "password") }
        guard password.utf8.count <= 72 else { throw .invalid("the password must be at most 72 bytes long", field: "password") }
    }

    /// A random password of 20 characters from an alphabet without look-alikes.
    public static func generatePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}

/// Why an account operation failed.
public enum AccountError: Error, Equatable, CustomStringConvertible {
    case invalid(String, field: String)
    case exists(String)
    case notFound(String)
    case database(String)

    public var description: String {
        switch self {
        case .invalid(let message, _): message
        case .exists(let name): "a user named '\(name)' already exists"
        case .notFound(let name): "no user named '\(name)'"
        case .database(let message): "database: \(message)"
        }
    }
}
