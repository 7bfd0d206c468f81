import Cleaning
import Detection
import Foundation
import Hydraulics
import Simulation

extension ScenarioLeakEvaluation {
    /// Which detection a scenario is scored on.
    enum Pipeline: String, CaseIterable {
        /// The zone inflow detector alone (`InflowLeakDetector`, step by step).
        case inflow
        /// Everything insight runs, in-process: cleaning, the seasonal-profile scores and
        /// the event detector's rules (`OfflinePipeline`), located as insight locates with a
        /// network model (`NetworkLocator` on each event's pressure residuals).
        case live
    }

    /// The scenario through insight's whole rule set (`Pipeline.live`): a step is alarmed
    /// while a leak or burst event of its zone is open.
    func runLive(_ scenario: Scenario, folder: URL) throws -> Result {
        let meta = scenario.meta
        let step = meta.stepMs
        let flows = CleanScenario(scenario, firstVersions: true, only: ["flow"], dropping: [.gap, .outOfRange])
        let steps = flows.steps
        let times = (0..<steps).map { flows.startMs + Int64($0) * step }
        let labels = Self.leakLabels(scenario, at: times)
        let network = try Self.network(meta, in: folder)
        let total = flows.summed(meta.zones.flatMap(\.inletSensors))
        var pipeline = OfflinePipeline()
        pipeline.detection = liveDetection
        let detected = pipeline.detect(scenario).events.filter { $0.type == .leak || $0.type == .burst }
        var alarms = Array(repeating: false, count: steps)
        let endOfData = flows.startMs + Int64(steps) * step
        for e in detected {
            // Alarmed from when it was raised (published), not from its estimated start: an
            // alarm must be known at its step.
            let first = max(0, Int((max(e.startMs, e.raisedMs ?? e.startMs) - flows.startMs + step - 1) / step))
            let last = min(steps, Int(((e.endMs ?? endOfData) - flows.startMs + step - 1) / step))
            if first < last { for i in first..<last { alarms[i] = true } }
        }
        var locators: [String: (sensorIDs: [String], locator: NetworkLocator)] = [:]
        if let network {
            for zone in meta.zones {
                let pressures = scenario.sensors.filter { $0.zone == zone.id && $0.kind == "pressure" && network.nodeIndex[$0.nodeId] != nil }
                guard pressures.count >= 2 else { continue }
                locators[zone.id] = (pressures.map(\.sensorId), try NetworkLocator(network: network, sensorNodeIDs: pressures.map(\.nodeId)))
            }
        }
        var events: [Event] = detected.map { e in
            let loss = e.loss?.clamped
            var event = Event(
                type: e.type.rawValue, zone: e.zone, startMs: e.startMs, endMs: e.endMs ?? endOfData, confidence: e.confidence,
                lossM3: loss?.volumeM3 ?? 0, lossLowM3: loss?.lowM3 ?? 0, lossHighM3: loss?.highM3 ?? 0,
                revenueLost: (loss?.volumeM3 ?? 0) * meta.tariffPerM3, candidates: [], pipeCandidates: [])
            if let (ids, locator) = locators[e.zone] {
                // Residuals are in bar (the clean unit); the model works in metres of head.
                let location = locator.locate(residualsM: ids.map { e.pressureResiduals[$0].map { $0 * NetworkLocator.metresOfHeadPerBar } })
                event.candidates = location.nodes.map { .init(nodeID: $0.nodeID, score: $0.score, leakM3h: $0.leakM3h, x: $0.x, y: $0.y) }
                event.pipeCandidates = location.pipes.map { .init(pipeID: $0.linkID, score: $0.score) }
            }
            return event
        }
        events = score(events, labels: scenario.labels, network: network)
        return Result(
            name: meta.name, network: Self.networkName(meta), labels: labels, alarms: alarms,
            baselineAlarms: baseline.alarms(inflow: total, stepsPerDay: Int(86_400_000 / step)),
            leakWindows: Self.runs(labels), events: events, leaks: outcomes(events, labels: scenario.labels))
    }
}
