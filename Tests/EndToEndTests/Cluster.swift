import Foundation
import Mongo
import Simulation
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineTestSupport

/// A database and the five service binaries as real processes on free loopback ports.
struct TestCluster {
    let cluster: LocalCluster
    let directory: URL
    let mongo: MongoClient
    /// Logged in as the first client account (an administrator), `operatorName`.
    let http: TestHTTP
    /// No token: an anonymous visitor, who acts as `public`.
    let anonymous: TestHTTP
    let operatorName: String
    let operatorPassword: String

    /// Starts a cluster on free ports once one of the process's cluster slots is free
    /// (``ClusterSlots``; ``stop()`` gives it back); tries again on new ports if a port
    /// was taken between choosing and binding it (tests run in parallel).
    static func start(
        _ name: String, environment: [String: String] = [:], replicas: [LocalCluster.Member: Int] = [:]
    ) async throws -> TestCluster {
        await ClusterSlots.shared.acquire()
        do {
            return try await startInSlot(name, environment: environment, replicas: replicas)
        } catch {
            await ClusterSlots.shared.release()
            throw error
        }
    }

    private static func startInSlot(
        _ name: String, environment: [String: String], replicas: [LocalCluster.Member: Int]
    ) async throws -> TestCluster {
        var lastError: (any Error)?
        for _ in 0..<3 {
            let directory = try TestEnvironment.scratchDirectory(name)
            let cluster = LocalCluster(
                binDirectory: TestEnvironment.binDirectory, dataDirectory: directory, ports: try .free(),
                secantusd: TestEnvironment.secantusd)
            try cluster.setReplicas(replicas)
            // A graceful stop on two starved cores can take a database-bound while.
            cluster.stopGrace = .seconds(60)
            // The gateway waits up to 30 s for a service: two clusters share two cores
            // while the suite runs, and SecantusDB scans a range where MongoDB would seek.
            // Training takes one core at most, leaving the other to the services.
            cluster.extraEnvironment = environment.merging([
                "WATERLINE_IDLE_FLUSH_MS": "1000", "WATERLINE_RPC_TIMEOUT_MS": "30000", "WATERLINE_TRAIN_THREADS": "1",
            ]) { a, _ in a }
            do {
                try await cluster.start()
                let mongo = try MongoClient(uri: cluster.mongoURI, database: "waterline", threads: 2)
                guard let (name, password) = try await cluster.ensureFirstClient() else { throw ClusterError("the new database already had accounts") }
                let anonymous = TestHTTP(base: cluster.gatewayURL)
                return TestCluster(
                    cluster: cluster, directory: directory, mongo: mongo, http: try await anonymous.login(name, password),
                    anonymous: anonymous, operatorName: name, operatorPassword: password)
            } catch {
                lastError = error
                await cluster.stop()
                try? FileManager.default.removeItem(at: directory)
            }
        }
        throw lastError!
    }

    func stop() async {
        mongo.close()
        await cluster.stop()
        await ClusterSlots.shared.release()
        // WATERLINE_KEEP_TEST_DIRS=1 keeps the services' logs for a look after a failure.
        if ProcessInfo.processInfo.environment["WATERLINE_KEEP_TEST_DIRS"] == nil { try? FileManager.default.removeItem(at: directory) }
    }

    /// Documents in a collection; in a series collection, points (in the buckets `filter`
    /// selects).
    func count(_ collection: String, _ filter: Document = [:]) async throws -> Int {
        if let store = series(collection) { return try await store.countPoints(filter) }
        return try await mongo.collection(collection).count(filter)
    }

    /// The store of a series collection (`readings`, `clean`, `scores`), as the services
    /// read it.
    func series(_ collection: String) -> SeriesStore? {
        SeriesRule(rawValue: collection).map { SeriesStore(mongo.collection(collection), rule: $0) }
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(120), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(300))
        }
        return try await condition()
    }

    /// Waits until `clean` and `scores` each hold `slots` points; returns the counts.
    func waitForDerivedSeries(slots: Int, timeout: Duration) async throws -> (clean: Int, scores: Int) {
        _ = try await eventually(timeout: timeout) {
            let clean = try await count(Collections.clean)
            let scores = try await count(Collections.scores)
            return clean == slots && scores == slots
        }
        return (try await count(Collections.clean), try await count(Collections.scores))
    }

    func ingestClient(timeout: Duration = .seconds(2)) throws -> RPCClient {
        try RPCClient(name: "e2e", connect: [cluster.ingestRPC], timeout: timeout)
    }
}

/// A small scenario: 5 days at a 5-minute cadence (22 sensors, burst on day 5).
func smallScenario(days: Int = 5) -> Scenario {
    var config = SimulationConfig()
    config.days = days
    config.stepMs = 300_000
    return Simulator.run(config)
}

/// Distinct (sensor, ts) pairs of a scenario's readings.
func uniqueReadings(_ scenario: Scenario) -> Int {
    Set(scenario.readings.map { "\($0.sensorId)|\($0.tsMs)" }).count
}

/// Every slot of every sensor from the first to the last reading: the clean series' size.
func expectedSlots(_ scenario: Scenario) -> Int {
    scenario.sensors.count * Int(slotsPerSensor(scenario))
}

func slotsPerSensor(_ scenario: Scenario) -> Int64 {
    let first = scenario.readings.map(\.tsMs).min()!
    let last = scenario.readings.map(\.tsMs).max()!
    return (last - first) / scenario.meta.stepMs + 1
}
