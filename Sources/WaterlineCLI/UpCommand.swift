import ArgumentParser
import Foundation

struct ClusterOptions: ParsableArguments {
    @Option(help: "Folder for the database files and logs.")
    var dataDir = "var/waterline"

    @Option(help: "Base port: ingest uses base+1..3, preprocess base+11..12, model base+21..22, insight base+31..32.")
    var basePort = 7000

    @Option(help: "Gateway HTTP port.")
    var httpPort = 8080

    @Option(help: "Port of the local SecantusDB database.")
    var mongoPort = 27117

    @Option(help: "Use this MongoDB instead of starting SecantusDB (e.g. mongodb://host:27017/?replicaSet=rs0).")
    var mongoURI: String?

    @Option(help: "The built web app the gateway serves at / ('make web' builds it).")
    var webRoot = "web/dist"

    @Option(
        help: ArgumentHelp(
            "Replicas of preprocess and model, e.g. preprocess=3,model=2 (they split the partitions by leases).",
            discussion: "Replica i (from 0) of a service uses base+100·i plus its usual ports."),
        transform: ReplicaCounts.parse)
    var replicas: ReplicaCounts = ReplicaCounts()

    func cluster() throws -> LocalCluster {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let cluster = LocalCluster(
            binDirectory: bin, dataDirectory: URL(fileURLWithPath: dataDir),
            ports: .fixed(base: basePort, http: httpPort, mongo: mongoPort), mongoURI: mongoURI)
        try cluster.setReplicas(replicas.counts, fixedBase: basePort)
        let web = URL(fileURLWithPath: webRoot)
        if FileManager.default.fileExists(atPath: web.appendingPathComponent("index.html").path) {
            cluster.webRoot = web.standardizedFileURL
        } else {
            print("web app not found in \(webRoot) (build it with 'make web'); the gateway serves the API only")
        }
        return cluster
    }
}

/// `--replicas preprocess=3,model=2`.
struct ReplicaCounts: Sendable {
    var counts: [LocalCluster.Member: Int] = [:]

    static func parse(_ text: String) throws -> ReplicaCounts {
        var result = ReplicaCounts()
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            guard parts.count == 2, let member = LocalCluster.Member(rawValue: String(parts[0]).trimmingCharacters(in: .whitespaces)),
                let count = Int(parts[1].trimmingCharacters(in: .whitespaces))
            else { throw ValidationError("--replicas: '\(item)' is not service=count (e.g. preprocess=3,model=2)") }
            guard LocalCluster.Member.replicable.contains(member) else {
                throw ValidationError("--replicas: \(member.rawValue) runs as one process here; preprocess and model take replicas")
            }
            guard (1...16).contains(count) else { throw ValidationError("--replicas: \(member.rawValue)=\(count): 1 to 16 replicas") }
            result.counts[member] = count
        }
        return result
    }
}

struct UpCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "up", abstract: "Start the database and the five services on loopback; Ctrl-C stops them all.")

    @OptionGroup var options: ClusterOptions

    func runAsync() async throws {
        let cluster = try options.cluster()
        try await startOrStop(cluster)
        do { try await printFirstClient(cluster) } catch {
            await cluster.stop()
            throw error
        }
        printAddresses(cluster)
        await waitForInterrupt()
        print("stopping ...")
        await cluster.stop()
    }
}

func startOrStop(_ cluster: LocalCluster) async throws {
    do {
        try await cluster.start { print($0) }
    } catch {
        await cluster.stop()
        throw error
    }
}

/// Makes the first client account when the database has none, and says how to log in.
func printFirstClient(_ cluster: LocalCluster) async throws {
    if let (name, password) = try await cluster.ensureFirstClient() {
        print("""
            first client account (administrator), made now:
              user      \(name)
              password  \(password)
              (also in \(cluster.firstClientPasswordFile.path); add more with 'waterline users add')
            """)
    } else {
        print("accounts exist already; the first one's password is in \(cluster.firstClientPasswordFile.path) if this cluster made it")
    }
}

func printAddresses(_ cluster: LocalCluster) {
    print("""
        Waterline is up.
          web app            \(cluster.gatewayURL)/
          gateway (REST)     \(cluster.gatewayURL)/api/v1/openapi.json
          ingest RPC         \(cluster.ingestRPC)   (PULL \(cluster.ingestPull))
          insight stream     \(cluster.insightPub)   (waterline tail --insight \(cluster.insightPub))
          database           \(cluster.mongoURI)
          logs               \(cluster.logDirectory.path)
        """)
}

/// Suspends until SIGINT or SIGTERM.
func waitForInterrupt() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = OnceFlag()
        for sig in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if once.claim() { continuation.resume() }
            }
            source.resume()
            OnceFlag.keep(source)
        }
    }
}

/// True exactly once; keeps signal sources alive for the process's life.
final class OnceFlag: @unchecked Sendable {
    // @unchecked: `claimed` is only touched under `lock`; `sources` only grows.
    private var claimed = false
    private let lock = NSLock()
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }

    static func keep(_ source: any DispatchSourceSignal) { sources.append(source) }
}
