import Foundation
import HistoryImport
import Simulation
import Testing
import WaterlineBus
import WaterlineCLI
import WaterlineKit
import WaterlineProto
import WaterlineTestSupport

/// Training over real processes: asked for through the gateway, a run trains DeepAR on
/// the clean history in MongoDB, registers the candidate, and once it is in production
/// the model service scores new points with it.
@Suite(.serialized, .timeLimit(.minutes(20))) struct TrainingEndToEndTests {
    @Test func aTrainedModelIsRegisteredPromotedAndScoresWithItsVersion() async throws {
        let t = try await TestCluster.start("training", environment: [
            "WATERLINE_TRAIN_SCHEDULE": "off", "WATERLINE_TRAIN_HISTORY_DAYS": "7", "WATERLINE_TRAIN_HOLDOUT_DAYS": "1",
            "WATERLINE_TRAIN_MAX_EPOCHS": "3", "WATERLINE_TRAIN_BATCHES_PER_EPOCH": "10", "WATERLINE_TRAIN_HIDDEN_SIZE": "8",
            "WATERLINE_TRAIN_LAYERS": "1",
        ])
        defer { Task { await t.stop() } }
        var simulation = SimulationConfig()
        simulation.days = 6
        simulation.stepMs = 900_000
        let scenario = Simulator.run(simulation)
        let lastDay = scenario.meta.startMs + 5 * 86_400_000
        let ingest = try t.ingestClient(timeout: .seconds(5))
        let replayer = Replayer(client: ingest)
        _ = try await replayer.registerSensors(of: scenario)
        _ = try await replayer.replay(scenario.readings.filter { $0.tsMs < lastDay }, batchSize: 500)
        let cleanBefore = scenario.sensors.count * 5 * 96 - 2 * scenario.sensors.count  // all but the held slots
        #expect(try await t.eventually(timeout: .seconds(120)) { try await t.count(Collections.scores) >= cleanBefore })

        // Asked for through the gateway; a second request while it runs is refused.
        let queued = try await t.http.post("/api/v1/models/train", json: [:] as [String: Any])
        #expect(queued.status == 202)
        let again = try await t.http.post("/api/v1/models/train", json: [:] as [String: Any])
        #expect(again.status == 409)
        var run: [String: Any] = [:]
        let finished = try await t.eventually(timeout: .seconds(240)) {
            let runs = try await t.http.get("/api/v1/training-runs")
            run = (runs.json["runs"] as? [[String: Any]])?.first ?? [:]
            return (run["status"] as? String).map { $0 != "running" } ?? false
        }
        #expect(finished, "the run did not finish: \(run)")
        #expect(run["status"] as? String == "succeeded", "\(run)")
        #expect(run["trigger"] as? String == "manual:\(t.operatorName)")
        #expect((run["epoch"] as? Int ?? 0) >= 1)
        let version = try #require(run["candidate_version"] as? String)
        #expect(version.hasPrefix("deepar-"))

        // Promoted by the gate, or by an operator when the gate archived it.
        if run["outcome"] as? String != "promoted" {
            #expect(run["outcome"] as? String == "archived")
            let promoted = try await t.http.post("/api/v1/models/\(version)/promote", json: [:] as [String: Any])
            #expect(promoted.status == 200)
        }
        let models = try await t.http.get("/api/v1/models")
        let entry = (models.json["models"] as? [[String: Any]])?.first { $0["version"] as? String == version }
        #expect(entry?["status"] as? String == "production")
        #expect(try await t.http.post("/api/v1/models/no-such/promote", json: [:] as [String: Any]).status == 404)

        // The model service warms the new model on a week of history, then swaps it in
        // (scoring goes on with the old one meanwhile); new points are scored by it.
        let model = try RPCClient(name: "e2e-model", connect: [t.cluster.modelRPC], timeout: .seconds(5))
        let swapped = try await t.eventually(timeout: .seconds(60)) {
            try await model.call(ModelRPC.getModelInfo, ModelInfoRequest()).modelVersion == version
        }
        #expect(swapped, "the model service did not take \(version) into production")
        _ = try await replayer.replay(scenario.readings.filter { $0.tsMs >= lastDay }, batchSize: 500)
        let sensor = "north-p1"
        var versions: [String] = []
        let scored = try await t.eventually(timeout: .seconds(120)) {
            let series = try await t.http.get("/api/v1/sensors/\(sensor)/series?from=\(lastDay + 3_600_000)&to=\(lastDay + 7_200_000)")
            versions = (series.json["scores"] as? [[String: Any]])?.compactMap { $0["model_version"] as? String } ?? []
            return versions.count == 5
        }
        #expect(scored && versions.allSatisfy { $0 == version }, "versions: \(versions)")
        let info = try await model.call(ModelRPC.getModelInfo, ModelInfoRequest())
        #expect(info.kind == "deepar")
        await model.close()

        // `waterline train` asks for a run and follows it to its end.
        let cli = Process()
        cli.executableURL = TestEnvironment.binDirectory.appendingPathComponent("waterline")
        cli.arguments = ["train", "--model", t.cluster.modelRPC, "--actor", "cli"]
        let output = Pipe()
        cli.standardOutput = output
        cli.standardError = output
        try cli.run()
        // Polled, not waited on: a blocking wait would hold a thread other tests need.
        // (Its output, a few lines, fits the pipe.)
        while cli.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(cli.terminationStatus == 0, "\(text)")
        #expect(text.contains("training queued") && text.contains("succeeded"), "\(text)")

        // A run killed with the model service (SIGKILL) leaves production as it was,
        // and is marked failed when the service is back.
        let production = try await t.http.get("/api/v1/models")
        let before = (production.json["models"] as? [[String: Any]])?.first { $0["status"] as? String == "production" }?["version"] as? String
        // A run long enough to be caught running: the service restarted with more epochs.
        t.cluster.signal(.model, SIGTERM)
        #expect(await t.cluster.waitForExit(.model, timeout: .seconds(30)))
        t.cluster.extraEnvironment["WATERLINE_TRAIN_MAX_EPOCHS"] = "500"
        t.cluster.extraEnvironment["WATERLINE_TRAIN_BATCHES_PER_EPOCH"] = "200"
        try await t.cluster.startService(.model)
        // Asked by a second client, so its run is told apart by its trigger.
        let added = try await t.http.post("/api/v1/users", json: ["name": "doomed", "password": "doomed-password-1", "role": "client"])
        #expect(added.status == 201, "\(added.text)")
        let doomedClient = try await t.anonymous.login("doomed", "doomed-password-1")
        #expect(try await doomedClient.post("/api/v1/models/train", json: [:] as [String: Any]).status == 202)
        let running = try await t.eventually(timeout: .seconds(60)) {
            let runs = try await t.http.get("/api/v1/training-runs")
            let newest = (runs.json["runs"] as? [[String: Any]])?.first
            return newest?["trigger"] as? String == "manual:doomed" && newest?["status"] as? String == "running"
        }
        #expect(running)
        t.cluster.crash(.model)
        #expect(await t.cluster.waitForExit(.model, timeout: .seconds(10)))
        try await t.cluster.startService(.model)
        var doomed: [String: Any]?
        let markedFailed = try await t.eventually(timeout: .seconds(30)) {
            let runs = try await t.http.get("/api/v1/training-runs")
            doomed = (runs.json["runs"] as? [[String: Any]])?.first { $0["trigger"] as? String == "manual:doomed" }
            return doomed?["status"] as? String == "failed"
        }
        #expect(markedFailed && (doomed?["reason"] as? String)?.contains("interrupted") == true, "\(String(describing: doomed))")
        let after = try await t.http.get("/api/v1/models")
        let productionAfter = (after.json["models"] as? [[String: Any]])?.filter { $0["status"] as? String == "production" }.compactMap { $0["version"] as? String }
        #expect(productionAfter == [before].compactMap { $0 })
        await ingest.close()
        await t.stop()
    }
}
