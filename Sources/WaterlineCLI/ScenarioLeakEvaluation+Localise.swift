import Cleaning
import Detection
import Foundation
import Hydraulics
import Simulation

extension ScenarioLeakEvaluation {
    /// Locates each event of `zone` from how its pressure sensors moved: each sensor's
    /// pressure is predicted from the zone's demand (inflow less the detected excess) and
    /// its tanks' levels, by a regression fitted on the week before the event; the mean
    /// residual over the event's first alarmed steps is matched against every junction's
    /// leak signature (`LeakLocaliser`, refined with the full solver).
    func localise(
        _ events: [Event], zone: String, scenario: Scenario, clean: CleanScenario, column: [String: Int],
        inflow: [Double?], verdicts: [InflowLeakDetector.Verdict?], network: WaterNetwork
    ) throws -> [Event] {
        let pressures = scenario.sensors.filter {
            $0.zone == zone && $0.kind == "pressure" && network.nodeIndex[$0.nodeId] != nil && column[$0.sensorId] != nil
        }
        let levels = scenario.sensors.filter { $0.zone == zone && $0.kind == "level" }.compactMap { column[$0.sensorId] }
        guard !pressures.isEmpty else { return events }
        let locator = try NetworkLocator(network: network, sensorNodeIDs: pressures.map(\.nodeId))
        let stepsPerDay = Int(86_400_000 / scenario.meta.stepMs)
        var out = events
        for (n, event) in events.enumerated() where event.zone == zone {
            let onset = Int((event.startMs - clean.startMs) / scenario.meta.stepMs)
            let training = (max(0, onset - 7 * stepsPerDay)..<onset).filter { verdicts[$0]?.alarmed != true && inflow[$0] != nil }
            let during = (onset..<min(verdicts.count, onset + localisationSteps)).filter { verdicts[$0]?.alarmed == true }
            guard training.count >= stepsPerDay, !during.isEmpty else { continue }
            func features(_ i: Int, demand: Double) -> [Double]? {
                var f = [1, demand, demand * demand]
                for c in levels {
                    guard let v = clean.values[c][i] else { return nil }
                    f.append(v)
                }
                return f
            }
            var residuals: [Double?] = []
            for sensor in pressures {
                let c = column[sensor.sensorId]!
                var rows: [[Double]] = []
                var targets: [Double] = []
                for i in training {
                    guard let p = clean.values[c][i], let f = features(i, demand: inflow[i]!) else { continue }
                    rows.append(f)
                    targets.append(p)
                }
                guard rows.count >= stepsPerDay, let beta = LeastSquares.fit(rows, targets) else {
                    residuals.append(nil)
                    continue
                }
                var sum = 0.0
                var count = 0
                for i in during {
                    guard let p = clean.values[c][i], let q = inflow[i], let v = verdicts[i],
                        let f = features(i, demand: q - max(0, v.excess))
                    else { continue }
                    sum += p - zip(beta, f).reduce(0) { $0 + $1.0 * $1.1 }
                    count += 1
                }
                residuals.append(count > 0 ? NetworkLocator.metresOfHeadPerBar * sum / Double(count) : nil)
            }
            let location = locator.locate(residualsM: residuals)
            out[n].candidates = location.nodes.map { .init(nodeID: $0.nodeID, score: $0.score, leakM3h: $0.leakM3h, x: $0.x, y: $0.y) }
            out[n].pipeCandidates = location.pipes.map { .init(pipeID: $0.linkID, score: $0.score) }
        }
        return out
    }

    /// Matches each event to the leak label it overlaps: the distance along the pipes from
    /// its top candidate to the leak's node, and the loss error over the overlap's label.
    func score(_ events: [Event], labels: [ScenarioLabel], network: WaterNetwork?) -> [Event] {
        let distance = network.map { NetworkDistance(network: $0) }
        return events.map { event in
            var e = event
            let overlapping = labels.filter { $0.type == "leak" && $0.startMs < event.endMs && event.startMs < $0.endMs }
            guard let label = overlapping.first else { return e }
            e.matchedNodeID = label.nodeId
            if let network, let distance, let node = label.nodeId, let truth = network.nodeIndex[node],
                let top = event.candidates.first, let guess = network.nodeIndex[top.nodeID]
            {
                e.localisationErrorM = distance.from(guess)[truth]
            }
            // One event may span overlapping leaks: its loss is theirs together.
            let volumes = overlapping.compactMap(\.leakVolumeM3)
            if volumes.count == overlapping.count {
                e.lossTruthM3 = volumes.reduce(0, +)
                e.lossErrorM3 = event.lossM3 - volumes.reduce(0, +)
            }
            return e
        }
    }
}

/// One labelled leak as the evaluation saw it.
struct LeakOutcome {
    var detected: Bool
    /// From the first event that overlaps it to its node, along the pipes.
    var localisationErrorM: Double?
    /// The losses of all events overlapping it, against its volume (with any other leak
    /// those events also overlap).
    var lossM3: Double?
    var truthM3: Double?
}

extension ScenarioLeakEvaluation {
    func outcomes(_ events: [Event], labels: [ScenarioLabel]) -> [LeakOutcome] {
        let leaks = labels.filter { $0.type == "leak" }
        func overlaps(_ e: Event, _ l: ScenarioLabel) -> Bool { l.startMs < e.endMs && e.startMs < l.endMs }
        return leaks.map { label in
            let found = events.filter { overlaps($0, label) }.sorted { $0.startMs < $1.startMs }
            guard let first = found.first else { return LeakOutcome(detected: false) }
            let together = leaks.filter { l in found.contains { overlaps($0, l) } }
            let volumes = together.compactMap(\.leakVolumeM3)
            return LeakOutcome(
                detected: true, localisationErrorM: first.localisationErrorM, lossM3: found.reduce(0) { $0 + $1.lossM3 },
                truthM3: volumes.count == together.count ? volumes.reduce(0, +) : nil)
        }
    }
}
