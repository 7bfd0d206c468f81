import Detection
import Foundation
import HistoryImport
import Hydraulics
import Simulation

/// BattLeDIM's economic score (`BattLeDIMScore`) of a scenario's leak events, for `eval
/// events` and `backtest`: the leaks are the labels with a pipe (`labels.json`), their flow
/// at every step from `leak_flows.csv[.gz]` (one column per pipe, as BattLeDIM gave its
/// teams), the distances along the pipes of the scenario's network file.
struct BattLeDIMReport {
    /// A leak event as a BattLeDIM submission: its top pipe and the data time from which
    /// that pipe was named.
    struct Detection {
        var eventID: String
        var pipe: String
        var atMs: Int64
    }

    let leaks: [BattLeDIMScore.Leak]
    let rules: BattLeDIMScore.Rules
    let distance: PipeDistance

    /// nil when the scenario has no labels with pipes or no leak flows. `network` is the
    /// scenario's (`ScenarioLeakEvaluation.network`). The period is the leak flows' (the
    /// scenario's), or from `fromMs` (a holdout) to its end.
    init?(folder: URL, scenario: Scenario, network: WaterNetwork, fromMs: Int64? = nil) throws {
        let labelled = scenario.labels.filter { ($0.type == "leak" || $0.type == "burst") && $0.pipeId != nil }
        guard !labelled.isEmpty else { return nil }
        let flowsURL = ["leak_flows.csv", "leak_flows.csv.gz"].map { folder.appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
        guard let flowsURL else { return nil }
        let startMs = max(fromMs ?? scenario.meta.startMs, scenario.meta.startMs)
        let flows = try Self.flows(flowsURL, periodStartMs: startMs)
        let steps = flows.values.first?.count ?? 0
        var rules = BattLeDIMScore.Rules(periodStartMs: startMs, periodEndMs: startMs + Int64(steps) * scenario.meta.stepMs)
        rules.stepMs = scenario.meta.stepMs
        if scenario.meta.tariffPerM3 > 0 { rules.tariffPerM3 = scenario.meta.tariffPerM3 }
        leaks = labelled.compactMap { label in
            guard let pipe = label.pipeId, let flow = flows[pipe], label.endMs >= rules.periodStartMs,
                label.startMs < rules.periodEndMs
            else { return nil }
            return BattLeDIMScore.Leak(pipe: pipe, startMs: label.startMs, endMs: label.endMs, flowM3h: flow)
        }
        self.rules = rules
        distance = PipeDistance(network: network)
    }

    /// Each pipe's flow (m³/h) at every step from the period's start.
    static func flows(_ url: URL, periodStartMs: Int64) throws -> [String: [Double]] {
        let reader = try LineReader(url: url)
        guard let header = try reader.nextLine()?.split(separator: ",").map(String.init), header.first == "ts_ms" else {
            throw ImportError("\(url.lastPathComponent): the first column must be ts_ms")
        }
        var columns = Array(repeating: [Double](), count: header.count - 1)
        while let line = try reader.nextLine() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == header.count, let ts = Int64(fields[0]) else { continue }
            guard ts >= periodStartMs else { continue }
            for c in columns.indices { columns[c].append(Double(fields[c + 1]) ?? 0) }
        }
        return Dictionary(uniqueKeysWithValues: zip(header.dropFirst(), columns))
    }

    /// The score's table: each leak found or missed (delay, distance, euros), the false
    /// positives and the score as a share of the perfect one.
    func render(_ detections: [Detection]) -> [String] {
        let score = BattLeDIMScore(
            detections: detections.map { .init(pipe: $0.pipe, raisedMs: $0.atMs) }, leaks: leaks, rules: rules,
            distance: distance.metres)
        var lines = ["BattLeDIM score, \(isoTime(rules.periodStartMs)) to \(isoTime(rules.periodEndMs)) (detections: each leak event's top pipe, from when it was named):"]
        for (l, leak) in leaks.enumerated() {
            let start = isoTime(leak.startMs)
            if let f = score.found.first(where: { $0.leak == l }) {
                lines.append(String(
                    format: "  %@  from %@: found by %@ after %.1f h, %.0f m off, %.0f €", leak.pipe, start,
                    detections[f.detection].eventID, Double(f.delayMs) / 3_600_000, f.distanceM, f.euros))
            } else {
                lines.append("  \(leak.pipe)  from \(start): not found")
            }
        }
        let missedPipes = detections.enumerated().filter { i, _ in !score.found.contains { $0.detection == i } }
        for (_, d) in missedPipes {
            // The nearest leak alive then, to tell a leak located too far off from no leak at all.
            let alive = leaks.filter { $0.startMs <= d.atMs && d.atMs <= $0.endMs }
                .compactMap { l in distance.metres(d.pipe, l.pipe).map { (l.pipe, $0) } }.min { $0.1 < $1.1 }
            let nearest = alive.map { String(format: "; nearest leak then %@, %.0f m", $0.0, $0.1) } ?? "; no leak then"
            lines.append("  \(d.eventID) named \(d.pipe) at \(isoTime(d.atMs)): no new leak within \(Int(rules.radiusM)) m (false positive or repeat)\(nearest)")
        }
        lines.append(String(
            format: "  found %d of %d leaks, %d false positives, %d repeats; %.0f € of a perfect %.0f € = %.1f %%",
            score.found.count, leaks.count, score.falsePositives, score.repeats, score.euros, score.perfectEuros, 100 * score.fraction))
        return lines
    }
}
