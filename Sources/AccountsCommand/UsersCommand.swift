import Accounts
import ArgumentParser
import Foundation
import Mongo

/// `waterline users add|list|disable|enable` (also `waterline-gateway users ...`, inside the
/// gateway's container): the gateway's accounts, straight in MongoDB — for the first
/// account, before anyone can log in; afterwards administrators also manage users in the
/// web app.
public struct UsersCommand: ParsableCommand {
    public init() {}

    /// Parses `arguments` (after "users") and runs the subcommand; exits on error.
    public static func run(arguments: [String]) async {
        do {
            let command = try parseAsRoot(arguments)
            guard let runnable = command as? any UsersSubcommand else {
                print(helpMessage())
                return
            }
            try await runnable.runAsync()
        } catch {
            exit(withError: error)
        }
    }

    public static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Manage the accounts that log in to the gateway.",
        subcommands: [Add.self, List.self, Disable.self, Enable.self])

    public struct Database: ParsableArguments {
        public init() {}
        @Option(help: "MongoDB URI (default: $WATERLINE_MONGO_URI, else the local cluster's).")
        var mongoURI = ProcessInfo.processInfo.environment["WATERLINE_MONGO_URI"] ?? "mongodb://127.0.0.1:27117/?directConnection=true"

        @Option(help: "Database name (default: $WATERLINE_MONGO_DATABASE or waterline).")
        var database = ProcessInfo.processInfo.environment["WATERLINE_MONGO_DATABASE"] ?? "waterline"

        func withStore<T>(_ body: (UserStore) async throws -> T) async throws -> T {
            let client = try MongoClient(uri: mongoURI, database: database, appName: "waterline-users", threads: 1)
            defer { client.close() }
            do { return try await body(UserStore(client: client)) } catch let error as AccountError {
                throw UsersCommandFailure(description: error.description)
            }
        }
    }

    public struct Add: UsersSubcommand {
        public init() {}
        public static let configuration = CommandConfiguration(
            abstract: "Add an account. Without --password, a random one is made and printed once.")

        @Argument(help: "User name: 3-64 characters, lower-case letters, digits and . _ @ -")
        var name: String

        @Option(help: "client (utility staff) or public.")
        var role: String = "client"

        @Flag(help: "The account manages users and settings (clients only).")
        var admin = false

        @Option(help: "The password (at least 10 characters). Prefer --password-stdin or none.")
        var password: String?

        @Flag(help: "Read the password from the first line of standard input.")
        var passwordStdin = false

        @OptionGroup var db: Database

        public func runAsync() async throws {
            guard let role = Role(rawValue: role) else { throw ValidationError("--role must be client or public, got '\(self.role)'") }
            if admin && role != .client { throw ValidationError("--admin is for client accounts only") }
            var chosen = password
            if passwordStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                    throw ValidationError("--password-stdin: standard input holds no password")
                }
                chosen = line
            }
            let secret = chosen ?? Credentials.generatePassword()
            let user = try await db.withStore { try await $0.add(name: name, password: secret, role: role, admin: admin) }
            print("added \(user.name) (\(user.role.rawValue)\(user.admin ? ", admin" : ""))")
            if chosen == nil { print("password: \(secret)") }
        }
    }

    public struct List: UsersSubcommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "List the accounts.")

        @OptionGroup var db: Database

        public func runAsync() async throws {
            let users = try await db.withStore { try await $0.list() }
            if users.isEmpty { print("no accounts; add one with 'waterline users add NAME --admin'") }
            for user in users {
                let created = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(user.createdMs) / 1000))
                let flags = [user.admin ? "admin" : nil, user.disabled ? "DISABLED" : nil].compactMap { $0 }.joined(separator: ",")
                print("\(user.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \(user.role.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)) \(created) \(flags)")
            }
        }
    }

    public struct Disable: UsersSubcommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Disable an account: no more logins, and its tokens stop working.")

        @Argument var name: String
        @OptionGroup var db: Database

        public func runAsync() async throws {
            _ = try await db.withStore { try await $0.setDisabled(name, true) }
            print("disabled \(name)")
        }
    }

    public struct Enable: UsersSubcommand {
        public init() {}
        public static let configuration = CommandConfiguration(abstract: "Enable a disabled account again.")

        @Argument var name: String
        @OptionGroup var db: Database

        public func runAsync() async throws {
            _ = try await db.withStore { try await $0.setDisabled(name, false) }
            print("enabled \(name)")
        }
    }
}

/// A `users` subcommand: its work is asynchronous.
public protocol UsersSubcommand: ParsableCommand {
    func runAsync() async throws
}

/// An account operation that failed: printed as "Error: ..." with exit status 1.
struct UsersCommandFailure: Error, CustomStringConvertible {
    let description: String
}
