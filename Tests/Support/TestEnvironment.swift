import Foundation
import Mongo
import WaterlineCLI

/// Where tests find the repository, the built service binaries and SecantusDB.
public enum TestEnvironment {
    /// The repository root (this file is Tests/Support/TestEnvironment.swift).
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder holding waterline-* binaries: $WATERLINE_BIN_DIR, else .build/debug.
    public static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["WATERLINE_BIN_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent(".build/debug")
    }

    /// secantusd-py: $WATERLINE_SECANTUSD, else .venv/bin/secantusd-py in the repository.
    public static var secantusd: String {
        if let path = ProcessInfo.processInfo.environment["WATERLINE_SECANTUSD"] { return path }
        return packageRoot.appendingPathComponent(".venv/bin/secantusd-py").path
    }

    /// schemathesis's `st`: $WATERLINE_SCHEMATHESIS, else .venv/bin/st in the repository
    /// (`make setup` installs it from requirements-dev.txt).
    public static var schemathesis: String {
        if let path = ProcessInfo.processInfo.environment["WATERLINE_SCHEMATHESIS"] { return path }
        return packageRoot.appendingPathComponent(".venv/bin/st").path
    }

    /// The C integrator client's build folder (waterline-tail): $WATERLINE_C_CLIENT_DIR,
    /// else clients/c/build in the repository (`make c-client` builds it).
    public static var cClientDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["WATERLINE_C_CLIENT_DIR"] { return URL(fileURLWithPath: dir) }
        return packageRoot.appendingPathComponent("clients/c/build")
    }

    /// A fresh scratch folder, removed by the caller.
    public static func scratchDirectory(_ name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// A SecantusDB server on a free loopback port with in-memory storage, for one test.
/// It ends with `stop()`, and by itself if the test process dies.
public final class TestDatabase: @unchecked Sendable {
    // @unchecked: the process handle is set once in init and only read afterwards.
    public let uri: String
    private let process: Process

    public init() async throws {
        let port = try reservePort()
        uri = "mongodb://127.0.0.1:\(port)/?directConnection=true&retryWrites=false"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The guard ends the server when this process goes away.
        process.arguments = [
            "-c",
            // SecantusDB does not always exit on SIGTERM (its stop can wait on open
            // connections), and this in-memory server holds nothing to keep: SIGKILL.
            "\"$2\" --host 127.0.0.1 --port $3 --storage-path :memory: & c=$!; trap 'kill -KILL $c' TERM; while kill -0 $1 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 0.2; done; kill -KILL $c 2>/dev/null; wait $c",
            "guard", String(getpid()), TestEnvironment.secantusd, String(port),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let client = try MongoClient(uri: uri, database: "admin", threads: 1)
        defer { client.close() }
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            do { try await client.ping(); break } catch {
                if ContinuousClock.now > deadline { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Stops the server and waits until it has gone (by polling with task sleeps:
    /// Foundation's waitUntilExit spins, and blocking here would stall other tests).
    public func stop() async {
        if process.isRunning { process.terminate() }
        for _ in 0..<200 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
    }
}

/// A free TCP port on loopback, outside the kernel's ephemeral range (see `freePorts`).
public func reservePort() throws -> Int {
    try freePorts(1)[0]
}

extension TestDatabase {
    /// Runs `body` with a client of a fresh server's database `test`, then closes the
    /// client and stops the server, whether `body` succeeded or threw.
    public static func withClient(_ body: (MongoClient) async throws -> Void) async throws {
        let database = try await TestDatabase()
        let client = try MongoClient(uri: database.uri, database: "test")
        do {
            try await body(client)
        } catch {
            client.close()
            await database.stop()
            throw error
        }
        client.close()
        await database.stop()
    }
}
