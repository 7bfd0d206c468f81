import Foundation
import Hydraulics
import Simulation
import Testing
import WaterlineTestSupport
@testable import WaterlineCLI

/// `waterline eval scenarios` end to end on `LoopLeakScenario` (a small looped network the
/// solver simulates, 21 days, a 12 m³/h leak at J5 from day 16). Through the causal
/// pipeline the leak is alarmed for nearly its whole length, never before, located at its
/// node, and costed.
@Suite struct ScenarioLeakEvaluationTests {
    static let leakNode = LoopLeakScenario.leakNode
    static let leakStep = LoopLeakScenario.leakStep
    static let steps = LoopLeakScenario.steps

    static func writeScenario(to dir: URL) throws -> Scenario { try LoopLeakScenario.write(to: dir) }

    @Test func findsLocatesAndCostsTheLeakCausally() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-eval-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await onOwnThread {
            _ = try Self.writeScenario(to: dir)
            return try ScenarioLeakEvaluation().run(try ScenarioFolder.read(from: dir), folder: dir)
        }

        #expect(result.labels.count == Self.steps)
        #expect(result.alarms[..<Self.leakStep].allSatisfy { !$0 }, "no alarm before the leak")
        let during = result.alarms[Self.leakStep...]
        #expect(Double(during.filter { $0 }.count) > 0.9 * Double(during.count), "alarmed \(during.filter { $0 }.count) of \(during.count)")
        let event = try #require(result.events.first)
        #expect(result.events.count == 1)
        #expect(event.candidates.first?.nodeID == Self.leakNode, "candidates \(event.candidates.map(\.nodeID))")
        #expect(event.localisationErrorM == 0)
        let truth = try #require(event.lossTruthM3)
        // Within 15 %: the intercept takes about a window (a day) to reach the leak's full
        // size, and the hours before the alarm are not counted.
        #expect(abs(event.lossM3 - truth) < 0.15 * truth, "loss \(event.lossM3) m³, truth \(truth) m³")
        #expect(event.lossLowM3 <= event.lossM3 && event.lossM3 <= event.lossHighM3)
        #expect(abs(event.revenueLost - 2 * event.lossM3) < 1e-9)
        var score = LeakDBScoreSummary()
        score.add(result)
        #expect(score.f1 > 0.9)
    }
}

/// The pooled F1 of one result, as the command computes it.
private struct LeakDBScoreSummary {
    var summary = ScenarioSummary(network: "loop")
    mutating func add(_ r: ScenarioLeakEvaluation.Result) { summary.add(r) }
    var f1: Double { summary.report.waterline.f1 }
}

/// `waterline eval scenarios --pipeline live` on the loop without its weekend step: the
/// whole of insight's detection in-process finds the leak as one event, raises nothing
/// before it, and locates it at J5 from the pressure residuals against the forecast.
@Suite struct LivePipelineEvaluationTests {
    @Test func theLivePipelineFindsAndLocatesTheLoopLeak() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waterline-eval-live-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await onOwnThread {
            _ = try LoopLeakScenario.write(to: dir, weekendBoost: 0)
            return try ScenarioLeakEvaluation().runLive(try ScenarioFolder.read(from: dir), folder: dir)
        }
        #expect(result.alarms[..<LoopLeakScenario.leakStep].allSatisfy { !$0 }, "no alarm before the leak")
        let during = result.alarms[LoopLeakScenario.leakStep...]
        #expect(Double(during.filter { $0 }.count) > 0.9 * Double(during.count))
        #expect(result.events.count == 1, "events \(result.events.map { "\($0.type) \($0.startMs)" })")
        let event = try #require(result.events.first)
        #expect(event.candidates.first?.nodeID == LoopLeakScenario.leakNode, "candidates \(event.candidates.map(\.nodeID))")
        #expect(event.lossM3 > 0)
    }
}
