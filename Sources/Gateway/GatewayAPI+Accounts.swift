import Accounts
import Foundation
import Hummingbird

// MARK: Log in, who am I, and (for administrators) users

extension GatewayAPI {
    func addAccountRoutes(to routes: RouteTable) {
        routes.post("/api/v1/auth/login", .anyone) { request, context in await respond { try await self.login(request, context) } }
        routes.get("/api/v1/auth/me", .anyone) { _, context in jsonResponse(Self.callerJSON(context.caller)) }
        routes.get("/api/v1/users", .admin) { _, _ in
            await respond { jsonResponse(["users": try await self.accounts { try await $0.list() }.map(Self.userJSON)]) }
        }
        routes.post("/api/v1/users", .admin) { request, _ in await respond { try await self.addUser(request) } }
        for (path, disabled) in [("disable", true), ("enable", false)] {
            routes.post("/api/v1/users/:name/\(path)", .admin) { _, context in
                await respond {
                    let name = try context.parameters.require("name")
                    guard name != context.caller.name || !disabled else {
                        throw APIError(status: .conflict, code: "failed_precondition", message: "you cannot disable your own account")
                    }
                    return jsonResponse(Self.userJSON(try await self.accounts { try await $0.setDisabled(name, disabled) }))
                }
            }
        }
    }

    /// 200 with a token; 401 for a wrong name or password (the same answer for both);
    /// 429 after too many attempts from one address.
    private func login(_ request: Request, _ context: GatewayContext) async throws -> Response {
        try await limited(loginLimiter, context, what: "login attempts")
        let fields = try await jsonObject(request, example: #"{"name": "...", "password": "..."}"#)
        guard let name = fields["name"] as? String, !name.isEmpty else { throw APIError.unprocessable("'name' is required", field: "name") }
        guard let password = fields["password"] as? String, !password.isEmpty else {
            throw APIError.unprocessable("'password' is required", field: "password")
        }
        // Longer than any valid name or password: wrong, without a lookup or bcrypt.
        guard name.utf8.count <= 64, password.utf8.count <= 72,
            let user = try await accounts({ try await $0.authenticate(name: name, password: password) })
        else {
            throw APIError(status: .unauthorized, code: "invalid_credentials", message: "wrong user name or password, or the account is disabled")
        }
        let (token, expires) = try await signer.issue(for: user.caller)
        return jsonResponse([
            "token": token, "expires_ms": Int64(expires.timeIntervalSince1970 * 1000), "user": Self.callerJSON(user.caller),
        ])
    }

    private func addUser(_ request: Request) async throws -> Response {
        let fields = try await jsonObject(request, example: #"{"name": "...", "password": "...", "role": "client", "admin": false}"#)
        guard let name = fields["name"] as? String else { throw APIError.unprocessable("'name' is required", field: "name") }
        guard let password = fields["password"] as? String else { throw APIError.unprocessable("'password' is required", field: "password") }
        let roleText = fields["role"] as? String ?? "client"
        guard let role = Role(rawValue: roleText) else {
            throw APIError.unprocessable("'role' must be client or public, got '\(roleText)'", field: "role")
        }
        var admin = false
        if let flag = fields["admin"], !(flag is NSNull) {
            guard let number = flag as? NSNumber, number.isBoolean else { throw APIError.unprocessable("'admin' must be true or false", field: "admin") }
            admin = number.boolValue
        }
        if admin && role != .client { throw APIError.unprocessable("only client accounts can be administrators", field: "admin") }
        let user = try await accounts { try await $0.add(name: name, password: password, role: role, admin: admin) }
        return jsonResponse(Self.userJSON(user), status: .created)
    }

    /// Runs a user-store call, mapping its failures to API errors.
    private func accounts<T>(_ body: (UserStore) async throws -> T) async throws -> T {
        do { return try await body(users) } catch let error as AccountError {
            switch error {
            case .invalid(let message, let field): throw APIError.unprocessable(message, field: field)
            case .exists: throw APIError(status: .conflict, code: "already_exists", message: error.description)
            case .notFound: throw APIError(status: .notFound, code: "not_found", message: error.description)
            case .database: throw APIError(status: .serviceUnavailable, code: "unavailable", message: "the account store cannot be reached; try again shortly")
            }
        }
    }

    /// The request body as a JSON object, or 400 naming what was expected.
    func jsonObject(_ request: Request, example: String) async throws -> [String: Any] {
        try jsonObject(try await body(request), example: example)
    }

    /// A body already read, as a JSON object (a request's body can be read only once).
    func jsonObject(_ data: Data, example: String) throws -> [String: Any] {
        guard let fields = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("body must be a JSON object like \(example)")
        }
        return fields
    }

    static func callerJSON(_ caller: Caller) -> [String: Any] {
        ["name": caller.name, "role": caller.role.rawValue, "admin": caller.admin, "anonymous": caller.isAnonymous]
    }

    static func userJSON(_ user: User) -> [String: Any] {
        ["name": user.name, "role": user.role.rawValue, "admin": user.admin, "disabled": user.disabled, "created_ms": user.createdMs]
    }
}
