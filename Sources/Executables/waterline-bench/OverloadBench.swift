import Foundation
import HistoryImport
import Simulation
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto

/// 7. overload: the same replay through the whole system (five services and the
/// database), first on a quiet machine, then with one core kept busy by a CPU hog,
/// then split over 3 replayers sending at once. Each on a fresh cluster, with the
/// replay command's settings (batches of 1000, 10 s deadline). Prints readings/s, the
/// longest stretch with no acknowledged batch, and the retries by cause.
func benchOverload(days: Int = 2) async throws {
    var config = SimulationConfig()
    config.days = days
    let scenario = Simulator.run(config)
    var unloaded = 0.0
    for phase in ["unloaded", "cpu hog", "3 replayers"] {
        try await withCluster { cluster in
            let register = try RPCClient(name: "bench", connect: [cluster.ingestRPC], timeout: .seconds(30))
            _ = try await Replayer(client: register).registerSensors(of: scenario)
            await register.close()
            let hog = phase == "cpu hog" ? try CPUHog() : nil
            defer { hog?.stop() }
            let parts = phase == "3 replayers" ? 3 : 1
            // Replayer k sends the readings of every sensor whose index is k modulo parts.
            let index = Dictionary(uniqueKeysWithValues: scenario.sensors.enumerated().map { ($1.sensorId, $0) })
            let started = ContinuousClock.now
            let results = try await withThrowingTaskGroup(of: Replayer.Stats.self) { group in
                for k in 0..<parts {
                    let mine = scenario.readings.filter { (index[$0.sensorId] ?? 0) % parts == k }
                    group.addTask {
                        let client = try RPCClient(name: "bench-\(k)", connect: [cluster.ingestRPC], timeout: .seconds(10))
                        let stats = try await Replayer(client: client, retryFor: .seconds(600)).replay(mine, batchSize: 1000)
                        await client.close()
                        return stats
                    }
                }
                return try await group.reduce(into: [Replayer.Stats]()) { $0.append($1) }
            }
            let elapsed = seconds(ContinuousClock.now - started)
            let sent = results.map(\.sent).reduce(0, +)
            let rate = Double(sent) / elapsed
            if phase == "unloaded" { unloaded = rate }
            let stall = results.map { seconds($0.longestStall) }.max() ?? 0
            let stats = try await ingestStats(cluster)
            print(String(format: "overload, %@: %d readings in %.1f s, %.0f readings/s (%.0f%% of unloaded); longest stretch with no acknowledged batch %.1f s; %d batches, %d retries (%d busy, %d timed out); %d stored, %d duplicates; ingest: %d resends joined, %d answered again, %d queued writes dropped, %d refused busy",
                         phase, sent, elapsed, rate, unloaded > 0 ? 100 * rate / unloaded : 100, stall,
                         results.map(\.batches).reduce(0, +), results.map(\.retries).reduce(0, +), results.map(\.busy).reduce(0, +),
                         results.map(\.timeouts).reduce(0, +), results.map(\.accepted).reduce(0, +), results.map(\.duplicates).reduce(0, +),
                         stats["resends_joined", default: 0], stats["resends_answered_again", default: 0],
                         stats["writes_dropped_expired", default: 0], stats["refused_busy", default: 0]))
        }
    }
}

private func ingestStats(_ cluster: LocalCluster) async throws -> [String: UInt64] {
    let client = try RPCClient(name: "bench-stats", connect: [cluster.ingestRPC], timeout: .seconds(10))
    defer { Task { await client.close() } }
    return try await client.call(IngestRPC.stats, StatsRequest()).counters
}
