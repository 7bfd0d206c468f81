import Foundation
import Logging
import ServiceLifecycle
import WaterlineBus
import WaterlineProto

/// The shared `main` of every Waterline service executable.
///
/// - `waterline-<name>`: reads the environment, builds the service and runs it until
///   SIGTERM or SIGINT, then shuts down gracefully (finishes work in flight).
/// - `waterline-<name> healthcheck`: asks the running instance for its health over RPC
///   (the container health check); exits 0 when it is serving.
public enum ServiceMain {
    public static func run(
        name: String,
        health: RPCMethod<HealthRequest, HealthResponse>?,
        rpcBindVariable: String?,
        defaultRPCBind: String?,
        build: @escaping @Sendable (Environment, Logger) async throws -> any Service
    ) async -> Never {
        LineBufferedOutput.enable()
        let environment = Environment()
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "healthcheck", let health, let rpcBindVariable, let defaultRPCBind {
            let bind = environment.string(rpcBindVariable, default: defaultRPCBind)
            exit(await healthcheck(endpoint: localEndpoint(forBind: bind), method: health))
        }
        if let first = arguments.first {
            let usage = "usage: \(name) [healthcheck]\nConfigured by environment variables only; see services/\(name.replacingOccurrences(of: "waterline-", with: ""))/README.md"
            FileHandle.standardError.write(Data(((first == "--help" || first == "-h") ? usage : "\(name): unknown argument '\(first)'\n\(usage)").utf8 + [10]))
            exit(first == "--help" || first == "-h" ? 0 : 2)
        }
        let level = Logger.Level(rawValue: environment.string("WATERLINE_LOG_LEVEL", default: "info")) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: name)
        do {
            let refresh = try environment.int("WATERLINE_DISCOVERY_REFRESH_S", default: 10, range: 0...86_400)
            EndpointDiscovery.refreshSeconds.withLock { $0 = refresh }
            let service = try await build(environment, logger)
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger))
            try await group.run()
            logger.info("\(name) stopped")
            exit(0)
        } catch let error as ConfigError {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            exit(1)
        }
    }

    static func healthcheck(endpoint: String, method: RPCMethod<HealthRequest, HealthResponse>) async -> Int32 {
        do {
            let client = try RPCClient(name: "healthcheck", connect: [endpoint], timeout: .seconds(3))
            defer { Task { await client.close() } }
            let reply = try await client.call(method, HealthRequest())
            print("\(reply.service) \(reply.status) at \(endpoint)")
            return reply.status == "SERVING" ? 0 : 1
        } catch {
            print("unhealthy: \(error)")
            return 1
        }
    }
}

/// Counters a service reports in its health reply.
public final class ServiceCounters: Sendable {
    private let values = Locked<[String: UInt64]>([:])

    public init() {}

    public func add(_ key: String, _ n: Int = 1) {
        guard n != 0 else { return }
        values.withLock { $0[key, default: 0] += UInt64(n) }
    }

    public var snapshot: [String: UInt64] { values.value }

    /// The Stats RPC's answer: these counters, the RPC server's (calls dropped and
    /// refused under overload), the given gauges, and the partitions held.
    public func stats(
        service: String, instance: String, startedMs: Int64, gauges: [String: Int64] = [:], partitions: OwnedPartitions? = nil,
        rpc: RPCServer? = nil
    ) -> StatsResponse {
        var reply = StatsResponse()
        reply.service = service
        reply.status = "SERVING"
        reply.instanceID = instance
        reply.startedMs = startedMs
        reply.counters = snapshot
        if let rpc { reply.counters.merge(rpc.counters) { a, _ in a } }
        reply.gauges = gauges
        if let partitions {
            let leases = partitions.leases.snapshot
            reply.partitions = partitions.stats
            reply.leaseMembers = UInt32(leases.members)
            reply.counters["lease_claims"] = UInt64(leases.claims)
            reply.counters["lease_handovers"] = UInt64(leases.handovers)
            reply.counters["lease_expirations"] = UInt64(leases.expired)
            reply.gauges["partitions_held"] = Int64(reply.partitions.count)
        }
        return reply
    }

    public func health(service: String, instance: String, startedMs: Int64, detail: String = "", serving: Bool = true) -> HealthResponse {
        var reply = HealthResponse()
        reply.service = service
        reply.status = serving ? "SERVING" : "NOT_SERVING"
        reply.instanceID = instance
        reply.startedMs = startedMs
        reply.counters = snapshot
        reply.detail = detail
        return reply
    }
}
