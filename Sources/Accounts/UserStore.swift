import Foundation
import HummingbirdBcrypt
import Mongo
import WaterlineBus
import WaterlineKit

/// The `users` collection: accounts keyed by name, passwords as bcrypt hashes.
public struct UserStore: Sendable {
    let collection: MongoCollection
    /// bcrypt's work factor: 2^cost rounds (11: about 0.1 s per hash on this machine's cores).
    let cost: UInt8

    /// A valid hash, at the store's cost, of a password nobody has: an unknown name is
    /// checked against it, so it costs what a wrong password costs.
    private let decoyHash: String

    public init(client: MongoClient, cost: UInt8 = 11) {
        collection = client.collection(Collections.users)
        self.cost = cost
        decoyHash = Bcrypt.hash(UUID().uuidString, cost: cost)
    }

    /// Adds an account; the name must be new.
    @discardableResult
    public func add(name: String, password: String, role: Role, admin: Bool) async throws(AccountError) -> User {
        try Credentials.validateName(name)
        try Credentials.validatePassword(password)
        let hash = await Self.offThread { [cost] in Bcrypt.hash(password, cost: cost) }
        let user = User(name: name, role: role, admin: admin, createdMs: nowMs(), passwordHash: hash)
        let result: WriteResult
        do { result = try await collection.insertMany([user.document], ordered: true) } catch {
            throw error.isDuplicateKey ? .exists(name) : .database(error.description)
        }
        guard result.duplicateIndices.isEmpty else { throw .exists(name) }
        return user
    }

    public func list() async throws(AccountError) -> [User] {
        do { return try await collection.find([:], sort: ["_id": 1], limit: 10_000).compactMap(User.init) } catch {
            throw .database(error.description)
        }
    }

    public func find(_ name: String) async throws(AccountError) -> User? {
        do { return try await collection.findOne(["_id": .string(name)]).flatMap(User.init) } catch { throw .database(error.description) }
    }

    /// Disables (or enables again) an account: a disabled user cannot log in, and the
    /// gateway refuses the tokens it already holds.
    @discardableResult
    public func setDisabled(_ name: String, _ disabled: Bool) async throws(AccountError) -> User {
        let updated: Document?
        do {
            updated = try await collection.findOneAndUpdate(filter: ["_id": .string(name)], update: ["$set": ["disabled": .bool(disabled)]])
        } catch { throw .database(error.description) }
        guard let updated, var user = User(updated) else { throw .notFound(name) }
        user.disabled = disabled
        return user
    }

    /// The account these credentials open, or nil (unknown name, wrong password or
    /// disabled). An unknown name costs the same bcrypt work as a wrong password, so
    /// timing does not tell which names exist.
    public func authenticate(name: String, password: String) async throws(AccountError) -> User? {
        let user = try await find(name)
        let hash = user?.passwordHash ?? decoyHash
        let matches = await Self.offThread { Bcrypt.verify(password, hash: hash) }
        guard let user, matches, !user.disabled else { return nil }
        return user
    }

    /// bcrypt is deliberately slow: keep it off the caller's executor.
    private static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
