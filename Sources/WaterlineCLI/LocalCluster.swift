import Accounts
import Foundation
import Mongo
import Synchronization
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// The database and the five services as child processes on loopback: what
/// `waterline up`, `make demo` and the end-to-end tests run.
///
/// Every child runs under a small shell guard that ends it when this process goes
/// away, so a crashed test or a closed terminal never leaves servers behind. SIGTERM
/// to a service's guard is passed on to the service (graceful shutdown).
public final class LocalCluster: @unchecked Sendable {
    // @unchecked: `processes` is only changed under `lock`.
    public enum Member: String, CaseIterable, Sendable {
        case mongo, ingest, preprocess, model, insight, gateway

        /// The services that run as several replicas, splitting the partitions by leases.
        public static let replicable: [Member] = [.preprocess, .model, .insight]
    }

    /// One process of a member: replica 0 is the first (and usually only) one.
    struct Instance: Hashable {
        let member: Member
        let replica: Int
    }

    /// The ports of a replica beyond the first of a replicable service.
    public struct ReplicaPorts: Sendable {
        public var rpc: Int
        public var pub: Int
    }

    public struct Ports: Sendable {
        public var mongo, ingestRPC, ingestPull, rawPub, preprocessRPC, cleanPub, modelRPC, scorePub, insightRPC, insightPub, http: Int

        /// Free loopback ports picked by the kernel.
        public static func free() throws -> Ports {
            let p = try freePorts(11)
            return Ports(mongo: p[0], ingestRPC: p[1], ingestPull: p[2], rawPub: p[3], preprocessRPC: p[4], cleanPub: p[5],
                         modelRPC: p[6], scorePub: p[7], insightRPC: p[8], insightPub: p[9], http: p[10])
        }

        /// Fixed ports from a base (`base`+1 ... for the services, `http` for the gateway).
        public static func fixed(base: Int, http: Int, mongo: Int) -> Ports {
            Ports(mongo: mongo, ingestRPC: base + 1, ingestPull: base + 2, rawPub: base + 3, preprocessRPC: base + 11,
                  cleanPub: base + 12, modelRPC: base + 21, scorePub: base + 22, insightRPC: base + 31, insightPub: base + 32, http: http)
        }
    }

    public let ports: Ports
    public let binDirectory: URL
    public let dataDirectory: URL
    public let secantusd: String
    /// Set when the cluster uses an existing database instead of starting one.
    public let externalMongoURI: String?
    public var extraEnvironment: [String: String] = [:]
    /// How long a service may take to stop gracefully after SIGTERM before its guard
    /// kills it (Docker's default is 10 s too). Tests on a starved machine allow more:
    /// they check that a stop loses nothing, not how fast it is.
    public var stopGrace: Duration = .seconds(10)
    /// How long a starting service may take to answer its health check SERVING (insight
    /// rebuilding zones without checkpoints from weeks of scores takes longer).
    public var healthTimeout: Duration = .seconds(60)
    /// How long a service that answers, but not yet SERVING (catching up), is waited for.
    public var catchUpTimeout: Duration = .seconds(3600)
    /// The built web app the gateway serves at "/" (nil: the API only).
    public var webRoot: URL?
    /// How many replicas of each replicable service run (at most; see ``setReplicas(_:)``).
    public private(set) var replicas: [Member: Int] = [:]
    private var replicaPorts: [Member: [ReplicaPorts]] = [:]
    private var processes: [Instance: Process] = [:]
    private let lock = NSLock()

    public init(binDirectory: URL, dataDirectory: URL, ports: Ports, secantusd: String? = nil, mongoURI: String? = nil) {
        self.binDirectory = binDirectory
        self.dataDirectory = dataDirectory
        self.ports = ports
        self.secantusd = secantusd ?? LocalCluster.findSecantusd()
        self.externalMongoURI = mongoURI
    }

    /// The database the services use. The local SecantusDB is reached with retryable
    /// writes off: it keeps a record of every retryable write for 30 minutes and, past
    /// 10,000 of them, sorts them all on every write, which made long runs crawl (the
    /// services' writes are idempotent and retried by the services themselves, so they
    /// do not need the driver's single retry).
    public var mongoURI: String { externalMongoURI ?? "mongodb://127.0.0.1:\(ports.mongo)/?directConnection=true&retryWrites=false" }
    public var ingestRPC: String { "tcp://127.0.0.1:\(ports.ingestRPC)" }
    public var ingestPull: String { "tcp://127.0.0.1:\(ports.ingestPull)" }
    public var insightRPC: String { "tcp://127.0.0.1:\(ports.insightRPC)" }
    public var insightPub: String { "tcp://127.0.0.1:\(ports.insightPub)" }
    public var modelRPC: String { endpoints(.model, \.rpc).joined(separator: ",") }
    public var preprocessRPC: String { endpoints(.preprocess, \.rpc).joined(separator: ",") }
    /// Every insight replica's RPC endpoint.
    public var insightRPCs: String { endpoints(.insight, \.rpc).joined(separator: ",") }

    /// Sets how many replicas of preprocess, model and insight run (each at least 1) and picks
    /// their ports: replica 0 keeps the ports in ``ports``; from `fixedBase`, replica i
    /// of a service uses base + 100·i + its usual offset, else free ports are picked.
    /// Call before ``start(only:log:)``: the services downstream are given every
    /// replica's address (the local stand-in for a name resolving to every replica), so
    /// replicas can be started and stopped later up to this number.
    public func setReplicas(_ counts: [Member: Int], fixedBase: Int? = nil) throws {
        for (member, count) in counts {
            guard Member.replicable.contains(member) else { throw ClusterError("\(member.rawValue) does not run as several replicas") }
            guard (1...16).contains(count) else { throw ClusterError("\(member.rawValue): 1 to 16 replicas, not \(count)") }
            replicas[member] = count
            let offset = switch member {
            case .preprocess: 11
            case .model: 21
            default: 31
            }
            replicaPorts[member] = try (1..<count).map { i in
                if let fixedBase { return ReplicaPorts(rpc: fixedBase + 100 * i + offset, pub: fixedBase + 100 * i + offset + 1) }
                let free = try freePorts(2)
                return ReplicaPorts(rpc: free[0], pub: free[1])
            }
        }
    }

    public func replicaCount(_ member: Member) -> Int { replicas[member] ?? 1 }

    /// The RPC and PUB ports of one replica.
    public func replicaPorts(_ member: Member, _ replica: Int) -> ReplicaPorts {
        if replica > 0, let extra = replicaPorts[member], replica - 1 < extra.count { return extra[replica - 1] }
        switch member {
        case .preprocess: return ReplicaPorts(rpc: ports.preprocessRPC, pub: ports.cleanPub)
        case .model: return ReplicaPorts(rpc: ports.modelRPC, pub: ports.scorePub)
        case .ingest: return ReplicaPorts(rpc: ports.ingestRPC, pub: ports.rawPub)
        case .insight: return ReplicaPorts(rpc: ports.insightRPC, pub: ports.insightPub)
        case .gateway, .mongo: return ReplicaPorts(rpc: ports.http, pub: 0)
        }
    }

    /// Every replica's endpoint of one kind (`\.rpc` or `\.pub`).
    private func endpoints(_ member: Member, _ kind: KeyPath<ReplicaPorts, Int>) -> [String] {
        (0..<replicaCount(member)).map { "tcp://127.0.0.1:\(replicaPorts(member, $0)[keyPath: kind])" }
    }
    public var gatewayURL: String { "http://127.0.0.1:\(ports.http)" }
    public var logDirectory: URL { dataDirectory.appendingPathComponent("logs") }

    /// The environment a member's replica runs with.
    public func environment(for member: Member, replica: Int = 0) -> [String: String] {
        let t = "tcp://127.0.0.1:"
        let own = replicaPorts(member, replica)
        var env: [String: String] = [
            "WATERLINE_MONGO_URI": mongoURI, "WATERLINE_MONGO_DATABASE": "waterline",
            "WATERLINE_INSTANCE_ID": "\(member.rawValue)-local" + (replica > 0 ? "-\(replica + 1)" : ""),
            "WATERLINE_LOG_LEVEL": "info",
        ]
        switch member {
        case .mongo: return [:]
        case .ingest:
            env["WATERLINE_INGEST_RPC_BIND"] = t + "\(ports.ingestRPC)"
            env["WATERLINE_INGEST_PULL_BIND"] = t + "\(ports.ingestPull)"
            env["WATERLINE_RAW_PUB_BIND"] = t + "\(ports.rawPub)"
        case .preprocess:
            env["WATERLINE_RAW_STREAM"] = t + "\(ports.rawPub)"
            env["WATERLINE_PREPROCESS_RPC_BIND"] = t + "\(own.rpc)"
            env["WATERLINE_CLEAN_PUB_BIND"] = t + "\(own.pub)"
        case .model:
            env["WATERLINE_CLEAN_STREAM"] = endpoints(.preprocess, \.pub).joined(separator: ",")
            env["WATERLINE_MODEL_RPC_BIND"] = t + "\(own.rpc)"
            env["WATERLINE_SCORE_PUB_BIND"] = t + "\(own.pub)"
        case .insight:
            env["WATERLINE_SCORE_STREAM"] = endpoints(.model, \.pub).joined(separator: ",")
            env["WATERLINE_INSIGHT_RPC_BIND"] = t + "\(own.rpc)"
            env["WATERLINE_INSIGHT_PUB_BIND"] = t + "\(own.pub)"
        case .gateway:
            env.removeValue(forKey: "WATERLINE_INSTANCE_ID")
            env["WATERLINE_HTTP_HOST"] = "127.0.0.1"
            env["WATERLINE_HTTP_PORT"] = "\(ports.http)"
            // Generated on the first run and kept with the data (never in the repository).
            env["WATERLINE_JWT_SECRET_FILE"] = dataDirectory.appendingPathComponent("gateway/jwt-secret").path
            if let webRoot { env["WATERLINE_WEB_ROOT"] = webRoot.path }
            env["WATERLINE_INGEST_RPC"] = t + "\(ports.ingestRPC)"
            env["WATERLINE_PREPROCESS_RPC"] = preprocessRPC
            env["WATERLINE_MODEL_RPC"] = modelRPC
            env["WATERLINE_INSIGHT_RPC"] = insightRPCs
            env["WATERLINE_INSIGHT_STREAM"] = endpoints(.insight, \.pub).joined(separator: ",")
            env["WATERLINE_SCORE_STREAM"] = endpoints(.model, \.pub).joined(separator: ",")
        }
        return env.merging(extraEnvironment) { _, new in new }
    }

    /// Starts the database (unless external) and the five services in flow order,
    /// waiting until each answers its health check.
    public func start(
        only services: [Member] = [.ingest, .preprocess, .model, .insight, .gateway], log: (String) -> Void = { _ in }
    ) async throws {
        try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
        if externalMongoURI == nil {
            let storage = dataDirectory.appendingPathComponent("mongo")
            try FileManager.default.createDirectory(at: storage, withIntermediateDirectories: true)
            try launch(Instance(member: .mongo, replica: 0), executable: secantusd, arguments: ["--host", "127.0.0.1", "--port", "\(ports.mongo)", "--storage-path", storage.path])
            try await waitForMongo()
            log("database   \(mongoURI)")
        }
        for member in services {
            for replica in 0..<replicaCount(member) {
                try await startService(member, replica: replica)
                let name = member.rawValue + (replicaCount(member) > 1 ? " \(replica + 1)" : "")
                log("\(name.padding(toLength: 12, withPad: " ", startingAt: 0)) up")
            }
        }
    }

    /// Makes the first client account (an administrator) when there is none, and saves
    /// its password in the data folder (mode 0600) so it can be looked up again. Returns
    /// the name and password when it made one.
    public func ensureFirstClient(name: String = "operator") async throws -> (name: String, password: String)? {
        let client = try MongoClient(uri: mongoURI, database: "waterline", threads: 1)
        defer { client.close() }
        let store = UserStore(client: client)
        guard try await store.list().isEmpty else { return nil }
        let password = Credentials.generatePassword()
        try await store.add(name: name, password: password, role: .client, admin: true)
        let file = firstClientPasswordFile
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: file.path, contents: Data("\(name) \(password)\n".utf8), attributes: [.posixPermissions: 0o600])
        return (name, password)
    }

    /// Where `ensureFirstClient` keeps the first account's name and password.
    public var firstClientPasswordFile: URL { dataDirectory.appendingPathComponent("gateway/first-client") }

    /// Starts (or restarts) one service's replica and waits for its health check.
    public func startService(_ member: Member, replica: Int = 0) async throws {
        let binary = binDirectory.appendingPathComponent("waterline-\(member.rawValue)").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw ClusterError("service binary \(binary) not found; build with 'swift build' first")
        }
        guard replica < replicaCount(member) else { throw ClusterError("\(member.rawValue) has \(replicaCount(member)) replicas, no \(replica + 1)") }
        let instance = Instance(member: member, replica: replica)
        try launch(instance, executable: binary, arguments: [], environment: environment(for: member, replica: replica))
        try await waitForHealth(instance)
    }

    /// Sends `signal` to a member's replica (through its guard, which passes it on).
    public func signal(_ member: Member, _ signal: Int32 = SIGTERM, replica: Int = 0) {
        let process = lock.withLock { processes[Instance(member: member, replica: replica)] }
        if let process, process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// Kills a replica's process with SIGKILL, as a crash or `kill -9` would: no
    /// shutdown handler runs. (A SIGKILL sent to the guard would kill only the guard.)
    public func crash(_ member: Member, replica: Int = 0) {
        let process = lock.withLock { processes[Instance(member: member, replica: replica)] }
        guard let process, process.isRunning else { return }
        for child in childProcesses(of: process.processIdentifier) { kill(child, SIGKILL) }
    }

    /// Stops a member's process in its tracks (SIGSTOP) or lets it go on (SIGCONT):
    /// to its peers it hangs, as a frozen or partitioned server does. Sent to the
    /// process itself, since its guard would only stop itself.
    public func freeze(_ member: Member, _ frozen: Bool, replica: Int = 0) {
        let process = lock.withLock { processes[Instance(member: member, replica: replica)] }
        guard let process, process.isRunning else { return }
        for child in childProcesses(of: process.processIdentifier) { kill(child, frozen ? SIGSTOP : SIGCONT) }
    }

    /// Waits until a member's replica has exited.
    public func waitForExit(_ member: Member, replica: Int = 0, timeout: Duration = .seconds(30)) async -> Bool {
        let process = lock.withLock { processes[Instance(member: member, replica: replica)] }
        guard let process else { return true }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// Whether a replica's process was started and has not exited.
    public func isRunning(_ member: Member, replica: Int = 0) -> Bool {
        lock.withLock { processes[Instance(member: member, replica: replica)] }?.isRunning ?? false
    }

    /// The exit status of a replica that has exited (nil while it runs).
    public func exitStatus(_ member: Member, replica: Int = 0) -> Int32? {
        let process = lock.withLock { processes[Instance(member: member, replica: replica)] }
        guard let process, !process.isRunning else { return nil }
        return process.terminationStatus
    }

    /// Stops everything: services in reverse flow order, then the database.
    public func stop() async {
        for member in Member.allCases.reversed() {
            let replicas = lock.withLock { processes.keys.filter { $0.member == member }.map(\.replica) }
            for replica in replicas { signal(member, SIGTERM, replica: replica) }
            for replica in replicas {
                // The guard escalates to SIGKILL after 10 s; this is the last resort.
                if !(await waitForExit(member, replica: replica, timeout: .seconds(20))) { signal(member, SIGKILL, replica: replica) }
            }
        }
    }

    // MARK: Processes

    /// The processes whose parent is `parent`, from /proc.
    private func childProcesses(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // Fields after the command name: state, ppid, ...
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == parent ? pid : nil
        }
    }

    private func launch(_ instance: Instance, executable: String, arguments: [String], environment: [String: String] = [:]) throws {
        let member = instance.member
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The guard: run the child, pass TERM/INT on, escalate to SIGKILL after a grace
        // period, and end the child if our process dies. SecantusDB does not always exit
        // on SIGTERM (its stop can wait on open connections), so its grace is short. The
        // escalation is counted in the loop rather than left to a background `sleep`: a
        // leftover process holding the guard's output would delay Foundation's notice
        // that the guard has exited.
        let graceTicks = member == .mongo ? 10 : Int(stopGrace.totalMilliseconds / 200)  // ticks of 0.2 s
        let guardScript = """
            parent=$1; shift
            "$@" & child=$!
            stopping=0
            trap 'kill -TERM $child 2>/dev/null; [ $stopping = 0 ] && stopping=1' TERM INT
            while kill -0 $child 2>/dev/null; do
              if [ $stopping = 0 ] && ! kill -0 $parent 2>/dev/null; then kill -TERM $child 2>/dev/null; stopping=1; fi
              if [ $stopping -gt 0 ]; then
                stopping=$((stopping + 1))
                [ $stopping -gt \(graceTicks) ] && kill -KILL $child 2>/dev/null
              fi
              sleep 0.2
            done
            wait $child
            """
        process.arguments = ["-c", guardScript, "guard", String(getpid()), executable] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let logURL = logDirectory.appendingPathComponent(logName(instance))
        if !FileManager.default.fileExists(atPath: logURL.path) { _ = FileManager.default.createFile(atPath: logURL.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: logURL)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        lock.withLock { processes[instance] = process }
    }

    private func logName(_ instance: Instance) -> String {
        instance.member.rawValue + (instance.replica > 0 ? "-\(instance.replica + 1)" : "") + ".log"
    }

    private func waitForMongo() async throws {
        let client = try MongoClient(uri: mongoURI, database: "admin", threads: 1)
        defer { client.close() }
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            // Another process answering on the port would not be this cluster's database.
            guard isRunning(.mongo) else { throw ClusterError("the database exited at start; see \(logDirectory.path)/mongo.log") }
            do { try await client.ping(); return } catch {
                if ContinuousClock.now > deadline { throw ClusterError("database did not start within 60 s: \(error); see \(logDirectory.path)/mongo.log") }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Waits until the service answers SERVING. `healthTimeout` bounds the wait for a
    /// first answer; a service that answers NOT_SERVING is starting up (catching up from
    /// MongoDB after a stop mid-import can take minutes) and is waited for up to
    /// `catchUpTimeout`, with its detail printed every 15 s.
    private func waitForHealth(_ instance: Instance) async throws {
        let member = instance.member
        let started = ContinuousClock.now
        var lastAnswer = started
        var lastNote = started
        while true {
            let running = lock.withLock { processes[instance]?.isRunning ?? false }
            if !running { throw ClusterError("\(member.rawValue) exited at start; see \(logDirectory.path)/\(logName(instance))") }
            switch await health(member, replica: instance.replica) {
            case .serving: return
            case .starting(let detail):
                lastAnswer = .now
                if ContinuousClock.now - lastNote >= .seconds(15) {
                    lastNote = .now
                    print("\(member.rawValue) starting: \(detail.isEmpty ? "not serving yet" : detail)")
                }
                if ContinuousClock.now - started > catchUpTimeout {
                    throw ClusterError("\(member.rawValue) still not serving after \(catchUpTimeout) (\(detail)); see its log")
                }
            case .silent:
                if ContinuousClock.now - lastAnswer > healthTimeout { throw ClusterError("\(member.rawValue) not healthy within \(healthTimeout); see its log") }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    public func isHealthy(_ member: Member, replica: Int = 0) async -> Bool {
        if case .serving = await health(member, replica: replica) { return true }
        return false
    }

    enum Health { case serving, starting(String), silent }

    func health(_ member: Member, replica: Int = 0) async -> Health {
        if member == .gateway {
            return HTTPProbe.get(port: ports.http, path: "/api/v1/health/live") == 200 ? .serving : .silent
        }
        let endpoint = "tcp://127.0.0.1:\(replicaPorts(member, replica).rpc)"
        let method: RPCMethod<HealthRequest, HealthResponse>
        switch member {
        case .ingest: method = IngestRPC.health
        case .preprocess: method = PreprocessRPC.health
        case .model: method = ModelRPC.health
        case .insight: method = InsightRPC.health
        default: return .serving
        }
        guard let client = try? RPCClient(name: "probe", connect: [endpoint], timeout: .milliseconds(500)) else { return .silent }
        let reply = try? await client.call(method, HealthRequest())
        await client.close()
        guard let reply else { return .silent }
        return reply.status == "SERVING" ? .serving : .starting(reply.detail)
    }

    static func findSecantusd() -> String {
        if let explicit = ProcessInfo.processInfo.environment["WATERLINE_SECANTUSD"] { return explicit }
        let venv = FileManager.default.currentDirectoryPath + "/.venv/bin/secantusd-py"
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return "secantusd-py"
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Free TCP ports on loopback, picked at random below the kernel's ephemeral range
/// (32768 and up on Linux), so that outgoing connections made meanwhile cannot take
/// them before the services bind them. Each is checked by binding it.
public func freePorts(_ count: Int) throws -> [Int] {
    try handedOut.withLock { given in
        // Nothing binds a port between the check and the service's start, so two clusters
        // started at once in one process could pick the same one, and a service that lost
        // the race would find its namesake of the other cluster answering in its place.
        // A port is therefore handed out once per process (the range holds about a
        // thousand clusters' worth; after that the oldest are long stopped).
        if given.count > 9_000 { given.removeAll() }
        var ports: [Int] = []
        var attempts = 0
        while ports.count < count {
            attempts += 1
            guard attempts < 10_000 else { throw ClusterError("could not find \(count) free ports") }
            let port = Int.random(in: 20_000..<32_000)
            if ports.contains(port) || given.contains(port) || !canBind(port) { continue }
            ports.append(port)
        }
        given.formUnion(ports)
        return ports
    }
}

private let handedOut = Mutex<Set<Int>>([])

private func canBind(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
