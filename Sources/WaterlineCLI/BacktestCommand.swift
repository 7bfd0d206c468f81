import ArgumentParser
import Foundation
import HistoryImport
import Hydraulics
import Mongo
import Simulation
import WaterlineBus

/// `waterline backtest SCENARIO…`: each scenario through the running services, scored on
/// the events they produce, read over REST as a client would read them.
struct BacktestCommand: AsyncCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Run scenarios through the real services and score the events they raise (detections, delays, BattLeDIM's economic score).",
        discussion: """
            For each scenario folder: a fresh cluster (SecantusDB and the five services on free
            loopback ports, insight given the scenario's network file as WATERLINE_NETWORK_FILE
            and its tariff) under --data-dir/<scenario>; the folder's sensors registered and its
            readings sent through ingest in time order, as `waterline import` sends them; the
            pipeline waited for until every clean point is scored and the events stay unchanged
            for --settle-seconds; then the leak and burst events read from the gateway's REST API
            and scored from --holdout-from on: each leak label found or missed, with the delay
            from its start to the event's raised_ms (never the estimated start), the events that
            match no leak, and — with pipe labels, leak_flows.csv and a network file — BattLeDIM's
            economic score, each event's top pipe counted from its located_ms.

            With --mongo-uri, --ingest and --gateway it uses that deployment instead (the
            services must already run against it, with the network file set); --user and
            --password-file log in. Readings before --holdout-from are the history the services
            learn from and are not scored.
            """)

    @Argument(help: "Scenario folders (scenario.json, sensors.csv, readings.csv[.gz], labels.json; network.inp and leak_flows.csv[.gz] for pipe scores).")
    var scenarios: [String]

    @Option(help: "Score from this time on (ISO 8601 date or date-time, UTC; or epoch ms): the holdout. Default: the whole scenario.")
    var holdoutFrom: String?

    @Option(help: "Folder for each fresh cluster's database and logs (one subfolder per scenario, emptied first).")
    var dataDir = "var/backtest"

    @Option(help: "Seconds the events must stay unchanged, once every clean point is scored, before they are read.")
    var settleSeconds = 30

    @Option(help: "Use the deployment on this MongoDB instead of a fresh cluster (with --ingest and --gateway).")
    var mongoURI: String?

    @Option(help: "With --mongo-uri: the deployment's ingest RPC endpoint.")
    var ingest: String?

    @Option(help: "With --mongo-uri: the deployment's gateway, e.g. http://host:8080.")
    var gateway: String?

    @Option(help: "With --mongo-uri: the client account to read events as.")
    var user = "operator"

    @Option(help: "With --mongo-uri: a file whose first line is the account's password (or 'NAME PASSWORD').")
    var passwordFile: String?

    func validate() throws {
        if mongoURI != nil, ingest == nil || gateway == nil || passwordFile == nil {
            throw ValidationError("--mongo-uri needs --ingest, --gateway and --password-file")
        }
        if let holdoutFrom, Self.parseTime(holdoutFrom) == nil {
            throw ValidationError("--holdout-from '\(holdoutFrom)' is neither an ISO 8601 date nor epoch milliseconds")
        }
    }

    static func parseTime(_ text: String) -> Int64? {
        if let ms = Int64(text) { return ms }
        for format in ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm"] {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = format
            if let date = f.date(from: text.hasSuffix("Z") ? String(text.dropLast()) : text) { return Int64(date.timeIntervalSince1970 * 1000) }
        }
        return nil
    }

    func runAsync() async throws {
        for path in scenarios { try await backtest(URL(fileURLWithPath: path)) }
    }

    private func backtest(_ folder: URL) async throws {
        let scenario = try ScenarioFolder.read(from: folder)
        let name = folder.lastPathComponent
        let holdout = holdoutFrom.flatMap(Self.parseTime) ?? scenario.meta.startMs
        print("backtest \(name): \(scenario.sensors.count) sensors, \(scenario.readings.count) readings; scored from \(isoTime(holdout))")
        var lastMs: [String: Int64] = [:]
        for r in scenario.readings { lastMs[r.sensorId] = max(lastMs[r.sensorId] ?? .min, r.tsMs) }
        let started = ContinuousClock.now

        var cluster: LocalCluster?
        let mongo: String, ingestEndpoint: String, rest: GatewayREST
        if let mongoURI, let ingest, let gateway, let passwordFile {
            (mongo, ingestEndpoint) = (mongoURI, ingest)
            let fields = try String(contentsOfFile: passwordFile, encoding: .utf8).split(separator: "\n").first?.split(separator: " ") ?? []
            let password = fields.count >= 2 ? String(fields[1]) : fields.first.map(String.init) ?? ""
            rest = try await GatewayREST.login(base: gateway, name: user, password: password)
        } else {
            let fresh = try await startCluster(folder, scenario: scenario, name: name)
            cluster = fresh
            (mongo, ingestEndpoint) = (fresh.mongoURI, fresh.ingestRPC)
            let line = try String(contentsOf: fresh.firstClientPasswordFile, encoding: .utf8).split(separator: " ")
            rest = try await GatewayREST.login(base: fresh.gatewayURL, name: String(line[0]), password: String(line[1]).trimmingCharacters(in: .whitespacesAndNewlines))
        }
        do {
            try await send(folder, name: name, ingest: ingestEndpoint)
            let sent = ContinuousClock.now
            let client = try MongoClient(uri: mongo, database: "waterline", threads: 1)
            print("\(name): waiting for the pipeline to score every clean point ...")
            var reported = ContinuousClock.now
            let outcome = try await CatchUpWatch(client, lastMs: lastMs).wait {
                guard ContinuousClock.now - reported >= .seconds(60) else { return }
                reported = .now
                print(String(format: "%@: still catching up, %.0f s after the start", name, seconds(.now - started)))
            }
            client.close()
            let (events, lastChange) = try await settled(rest)
            let caughtUp = outcome.caughtUp ? "" : " (not caught up: nothing moved for 2 minutes)"
            let total = seconds(max(outcome.settledAt, lastChange) - started)
            print(String(
                format: "%@: %d readings sent in %.0f s (%.0f/s); every clean point scored %.0f s after the start%@; the last event change "
                    + "seen %.0f s after it (%.0f readings/s end to end); %d leak and burst events",
                name, scenario.readings.count, seconds(sent - started), Double(scenario.readings.count) / max(0.001, seconds(sent - started)),
                seconds(outcome.settledAt - started), caughtUp, seconds(lastChange - started), Double(scenario.readings.count) / max(0.001, total),
                events.count))
            let endMs = lastMs.values.max().map { $0 + scenario.meta.stepMs } ?? scenario.meta.startMs
            let network = try ScenarioLeakEvaluation.network(scenario.meta, in: folder)
            if holdout > scenario.meta.startMs {
                print("\nThe whole scenario (history included):")
                for line in try score(events, scenario: scenario, folder: folder, network: network, from: scenario.meta.startMs, to: endMs) {
                    print(line)
                }
                print("\nThe holdout:")
            }
            for line in try score(events, scenario: scenario, folder: folder, network: network, from: holdout, to: endMs) { print(line) }
        } catch {
            await cluster?.stop()
            throw error
        }
        await cluster?.stop()
    }

    private func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

    /// A fresh cluster for the scenario, its network file and tariff given to insight.
    private func startCluster(_ folder: URL, scenario: Scenario, name: String) async throws -> LocalCluster {
        let dir = URL(fileURLWithPath: dataDir).appendingPathComponent(name)
        try? FileManager.default.removeItem(at: dir)
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        let cluster = LocalCluster(binDirectory: bin, dataDirectory: dir, ports: try .free())
        if let network = scenario.meta.network {
            cluster.extraEnvironment["WATERLINE_NETWORK_FILE"] = folder.appendingPathComponent(network).standardizedFileURL.path
        }
        if scenario.meta.tariffPerM3 > 0 { cluster.extraEnvironment["WATERLINE_TARIFF_PER_M3"] = "\(scenario.meta.tariffPerM3)" }
        try await startOrStop(cluster)
        _ = try await cluster.ensureFirstClient()
        print("\(name): a fresh cluster is up (logs in \(cluster.logDirectory.path))")
        return cluster
    }

    /// The folder's sensors and readings through ingest, as `waterline import` sends them.
    private func send(_ folder: URL, name: String, ingest: String) async throws {
        let client = try RPCClient(name: "backtest", connect: [ingest], timeout: .seconds(60))
        defer { Task { await client.close() } }
        let replayer = Replayer(client: client, retryFor: .seconds(300), source: "backtest")
        let (_, file) = try await ImportCommand.registerFolder(folder, replayer: replayer)
        let progress = URL(fileURLWithPath: dataDir).appendingPathComponent("imports-\(name)")
        try? FileManager.default.removeItem(at: progress)
        var importer = HistoryImporter(replayer: replayer, progressDirectory: progress, batchSize: 10_000, flushReadings: 200_000, again: true)
        let line = ImportStatusLine(name: name)
        importer.onProgress = { line.show($0) }
        let totals = try await importer.importFile(file, name: name)
        if totals.stats.rejected > 0 { print("\(name): \(totals.stats.rejected) readings rejected (reasons in dead_letters)") }
    }

    /// The leak and burst events once they have not changed for `settleSeconds`, and when
    /// they were first seen as they stand (within the 2 s poll).
    private func settled(_ rest: GatewayREST) async throws -> ([[String: Any]], ContinuousClock.Instant) {
        var last: [String] = []
        var stableSince = ContinuousClock.now
        while true {
            let events = try await rest.events(type: "leak") + rest.events(type: "burst")
            let ids = events.map { "\($0["event_id"] ?? "")@\($0["updated_ms"] ?? "")" }.sorted()
            if ids != last { (last, stableSince) = (ids, .now) }
            if ContinuousClock.now - stableSince >= .seconds(settleSeconds) { return (events, stableSince) }
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// Each leak label from `from` on, found (by the first event raised during its life) or
    /// missed; the events raised then that match no label; and BattLeDIM's score.
    private func score(
        _ events: [[String: Any]], scenario: Scenario, folder: URL, network: WaterNetwork?, from: Int64, to: Int64
    ) throws -> [String] {
        struct Raised {
            var id: String
            var raisedMs: Int64
            var pipe: String?
            var locatedMs: Int64?
        }
        let raised = events.compactMap { e -> Raised? in
            guard let id = e["event_id"] as? String, let at = GatewayREST.ms(e["raised_ms"]), at >= from, at < to else { return nil }
            let pipe = (e["candidates"] as? [[String: Any]])?.compactMap { $0["link_id"] as? String }.first { !$0.isEmpty }
            return Raised(id: id, raisedMs: at, pipe: pipe, locatedMs: GatewayREST.ms(e["located_ms"]))
        }.sorted { ($0.raisedMs, $0.id) < ($1.raisedMs, $1.id) }
        let leaks = scenario.labels.filter { ($0.type == "leak" || $0.type == "burst") && $0.endMs >= from && $0.startMs < to }
        var lines = ["Detections from \(isoTime(from)) to \(isoTime(to)), by time alone (an event raised while a leak runs counts for it, wherever it is; BattLeDIM's score below also asks for the pipe):"]
        var matched = Set<String>()
        for leak in leaks {
            let start = max(leak.startMs, from)
            let what = leak.pipeId ?? leak.nodeId ?? leak.zone ?? "leak"
            if let first = raised.first(where: { $0.raisedMs >= start && $0.raisedMs <= leak.endMs }) {
                lines.append(String(format: "  %@ from %@: raised by %@ after %.1f h", what, isoTime(leak.startMs), first.id, Double(first.raisedMs - start) / 3_600_000))
            } else {
                lines.append("  \(what) from \(isoTime(leak.startMs)): not detected")
            }
            for r in raised where r.raisedMs >= start && r.raisedMs <= leak.endMs { matched.insert(r.id) }
        }
        let unmatched = raised.filter { !matched.contains($0.id) }
        for r in unmatched { lines.append("  \(r.id) raised \(isoTime(r.raisedMs)): no leak then (false detection)") }
        let found = leaks.filter { l in raised.contains { $0.raisedMs >= max(l.startMs, from) && $0.raisedMs <= l.endMs } }.count
        lines.append("  \(found) of \(leaks.count) leaks detected, \(unmatched.count) false detections")
        if let network, let report = try BattLeDIMReport(folder: folder, scenario: scenario, network: network, fromMs: from) {
            let detections = raised.compactMap { r in
                r.pipe.map { BattLeDIMReport.Detection(eventID: r.id, pipe: $0, atMs: max(r.raisedMs, r.locatedMs ?? r.raisedMs)) }
            }
            lines.append("")
            lines += report.render(detections)
        }
        return lines
    }
}
