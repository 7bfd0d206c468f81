import Foundation
import Prometheus
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// `GET /metrics`: the Stats of every replica of every service, in Prometheus text
/// format. Each scrape asks every address a service's endpoints resolve to (all its
/// replicas) in parallel, 2 s each; a replica that does not answer is `waterline_up 0`.
///
/// Metrics, each labelled `service` and `replica` (the replica's instance id; its
/// address when it did not answer):
/// - `waterline_up`: 1 when the replica answered;
/// - `waterline_<counter>_total`: the replica's counters (received, stored, published,
///   duplicates, stream_gaps, lease_claims, ...);
/// - `waterline_<gauge>`: its gauges (pending_readings, database_down, partitions_held, ...);
/// - `waterline_partition_lag_seconds` and `waterline_partition_handled_total`, also
///   labelled `partition`: per partition a replica holds, how far behind ingest it is;
/// - `waterline_lease_members`: the replicas its lease group sees alive.
final class MetricsExporter: Sendable {
    struct Target: Sendable {
        let service: String
        let endpoints: [String]
        let method: RPCMethod<StatsRequest, StatsResponse>
    }

    private let targets: [Target]
    /// One client per replica address, kept between scrapes.
    private let clients = Locked<[String: RPCClient]>([:])

    init(config: GatewayConfig) {
        targets = [
            Target(service: "ingest", endpoints: config.ingestRPC, method: IngestRPC.stats),
            Target(service: "preprocess", endpoints: config.preprocessRPC, method: PreprocessRPC.stats),
            Target(service: "model", endpoints: config.modelRPC, method: ModelRPC.stats),
            Target(service: "insight", endpoints: config.insightRPC, method: InsightRPC.stats),
        ]
    }

    /// Asks every replica and renders the answers.
    func scrape() async -> String {
        // Name lookups block: off the concurrency pool.
        let targets = self.targets
        let resolved = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: targets.map { ($0, EndpointDiscovery.resolveNow($0.endpoints)) })
            }
        }
        let live = Set(resolved.flatMap(\.1))
        let gone = clients.withLock { map -> [RPCClient] in
            let stale = map.keys.filter { !live.contains($0) }
            return stale.compactMap { map.removeValue(forKey: $0) }
        }
        for client in gone { await client.close() }  // replicas that went away
        let answers = await withTaskGroup(of: (String, String, StatsResponse?).self) { group in
            for (target, addresses) in resolved {
                for address in addresses {
                    group.addTask { (target.service, address, await self.stats(address, target.method)) }
                }
            }
            var all: [(String, String, StatsResponse?)] = []
            for await answer in group { all.append(answer) }
            return all.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        }
        return Self.render(answers)
    }

    func close() async {
        let all = clients.withLock { map -> [RPCClient] in
            defer { map = [:] }
            return Array(map.values)
        }
        for client in all { await client.close() }
    }

    private func stats(_ address: String, _ method: RPCMethod<StatsRequest, StatsResponse>) async -> StatsResponse? {
        let client: RPCClient? = clients.withLock { map in
            if let existing = map[address] { return existing }
            let made = try? RPCClient(name: "gw-metrics", connect: [address], timeout: .seconds(2))
            map[address] = made
            return made
        }
        return try? await client?.call(method, StatsRequest())
    }

    /// Prometheus text for the answers (service, address, stats or nil).
    static func render(_ answers: [(String, String, StatsResponse?)]) -> String {
        let registry = PrometheusCollectorRegistry()
        /// A metric name from a service's key: [a-z0-9_], never empty.
        func name(_ raw: String) -> String {
            let cleaned = String(raw.lowercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
            return cleaned.isEmpty ? "unnamed" : cleaned
        }
        // The library traps on one name with two types or two help texts: each name is
        // claimed by the first kind that uses it, and the help text names the metric.
        var kinds: [String: String] = ["waterline_up": "gauge", "waterline_lease_members": "gauge",
                                       "waterline_partition_lag_seconds": "gauge", "waterline_partition_handled_total": "counter"]
        func claim(_ full: String, _ kind: String) -> Bool {
            if let existing = kinds[full] { return existing == kind }
            kinds[full] = kind
            return true
        }
        let up = MetricNameDescriptor(namespace: "waterline", metricName: "up", unitName: "", helpText: "1 when the replica answered its Stats RPC")
        for (service, address, stats) in answers {
            let labels = [("service", service), ("replica", stats?.instanceID ?? address)]
            registry.makeGauge(descriptor: up, labels: labels).set(to: stats == nil ? 0 : 1)
            guard let stats else { continue }
            var done: Set<String> = []
            for (key, value) in stats.counters.sorted(by: { $0.key < $1.key }) {
                let descriptor = MetricNameDescriptor(
                    namespace: "waterline", metricName: name(key), unitName: "total", helpText: "counter \(name(key)) of the service")
                guard claim(descriptor.name, "counter"), done.insert(descriptor.name).inserted else { continue }
                registry.makeCounter(descriptor: descriptor, labels: labels).increment(by: Int64(clamping: value))
            }
            for (key, value) in stats.gauges.sorted(by: { $0.key < $1.key }) {
                let descriptor = MetricNameDescriptor(
                    namespace: "waterline", metricName: name(key), unitName: "", helpText: "gauge \(name(key)) of the service")
                guard claim(descriptor.name, "gauge"), done.insert(descriptor.name).inserted else { continue }
                registry.makeGauge(descriptor: descriptor, labels: labels).set(to: Double(value))
            }
            if stats.leaseMembers > 0 {
                let members = MetricNameDescriptor(
                    namespace: "waterline", metricName: "lease_members", unitName: "", helpText: "replicas the lease group sees alive")
                registry.makeGauge(descriptor: members, labels: labels).set(to: Double(stats.leaseMembers))
            }
            let lag = MetricNameDescriptor(
                namespace: "waterline", metricName: "partition_lag", unitName: "seconds",
                helpText: "from ingest receiving the newest item handled for the partition to its handling")
            let handled = MetricNameDescriptor(
                namespace: "waterline", metricName: "partition_handled", unitName: "total", helpText: "items handled for the partition")
            for partition in stats.partitions {
                let partitionLabels = labels + [("partition", String(partition.partition))]
                registry.makeGauge(descriptor: lag, labels: partitionLabels).set(to: Double(partition.lagMs) / 1000)
                registry.makeCounter(descriptor: handled, labels: partitionLabels).increment(by: Int64(clamping: partition.handled))
            }
        }
        return registry.emitToString()
    }
}
