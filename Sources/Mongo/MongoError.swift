import CMongoC

/// An error from libmongoc or the server, with the operation that failed.
public struct MongoError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// The URI could not be parsed.
        case invalidURI
        /// No server answered (network, server selection, timeout).
        case connection
        /// The server refused the command.
        case server
        /// A write failed for some documents (see ``WriteResult``).
        case write
        case other
    }

    public let kind: Kind
    public let domain: UInt32
    public let code: UInt32
    public let message: String
    /// The operation, e.g. `insertMany readings`.
    public let operation: String

    public init(kind: Kind, domain: UInt32 = 0, code: UInt32 = 0, message: String, operation: String) {
        self.kind = kind
        self.domain = domain
        self.code = code
        self.message = message
        self.operation = operation
    }

    init(_ error: bson_error_t, operation: String, kind override: Kind? = nil) {
        var error = error
        let message = withUnsafeBytes(of: &error.message) { raw in
            String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
        }
        let kind: Kind
        switch Int(error.domain) {
        case Int(MONGOC_ERROR_STREAM.rawValue), Int(MONGOC_ERROR_SERVER_SELECTION.rawValue),
            Int(MONGOC_ERROR_CLIENT.rawValue):
            kind = .connection
        case Int(MONGOC_ERROR_SERVER.rawValue), Int(MONGOC_ERROR_QUERY.rawValue),
            Int(MONGOC_ERROR_WRITE_CONCERN.rawValue):
            kind = .server
        case Int(MONGOC_ERROR_COMMAND.rawValue):
            kind = error.code == 11000 ? .write : .server
        default:
            kind = .other
        }
        self.init(kind: override ?? kind, domain: error.domain, code: error.code, message: message, operation: operation)
    }

    /// True for the server's duplicate-key error (E11000).
    public var isDuplicateKey: Bool { code == 11000 }

    public var description: String { "\(operation): \(message) (domain \(domain), code \(code))" }
}
