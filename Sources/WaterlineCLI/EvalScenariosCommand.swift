import ArgumentParser
import Detection
import Foundation
import Simulation

/// `waterline eval scenarios`: every scenario folder under a directory through the leak
/// pipeline (in-process, causal), scored with LeakDB's rules next to its MNF baseline.
struct EvalScenariosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Run every scenario folder under --dir through the leak pipeline causally and score it against its labels with LeakDB's rules, next to the minimum-night-flow baseline.",
        discussion: """
            Each scenario runs in-process through the same cleaning as preprocess (points as \
            first published) and the zone inflow leak detector, step by step: an alarm at a \
            step uses only readings up to it. With --pipeline live, through everything \
            insight runs instead (a step is alarmed while a leak or burst event is open). Scores are pooled over all steps of all \
            scenarios of a network. Localisation needs the scenario's network file \
            (scenario.json "network"); loss errors need labels with leak_volume_m3.
            """)

    @Option(help: "Folder whose sub-folders are scenario folders (scenario.json, sensors.csv, readings.csv, labels.json).")
    var dir: String

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Option(help: "Write each scenario's events as JSON into this folder (<scenario>.events.json).")
    var eventsOut: String?

    @Option(help: "Only the first N scenarios (in name order) of each network.")
    var limit: Int?

    @Option(help: "Print each day's inflow, excess over the demand shape, spread and alarms for the scenario of this name.")
    var trace: String?

    @Option(help: "What is scored: 'inflow' (the zone inflow detector alone) or 'live' (everything insight runs: cleaning, seasonal-profile scores, the event detector's rules, localisation from the events' pressure residuals).")
    var pipeline: ScenarioLeakEvaluation.Pipeline = .inflow

    @Option(help: "Detector: standard deviations of the inflow excess that raise an alarm.")
    var raiseSigmas = 4.0

    @Option(help: "Detector: trailing window, in steps, of the demand-shape fit.")
    var windowSteps = 48

    @Option(help: "Detector: days over which the excess's normal offset and spread are followed.")
    var followDays = 90.0

    func run() throws {
        let root = URL(fileURLWithPath: dir)
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: root.path) else {
            throw ValidationError("cannot read --dir \(dir)")
        }
        var folders = names.sorted().map { root.appendingPathComponent($0) }
            .filter { fm.fileExists(atPath: $0.appendingPathComponent("scenario.json").path) }
        guard !folders.isEmpty else { throw ValidationError("no scenario folder (with scenario.json) under \(dir)") }
        if let limit {
            var seen: [String: Int] = [:]
            folders = folders.filter { url in
                let key = url.lastPathComponent.split(separator: "-").first.map(String.init) ?? ""
                seen[key, default: 0] += 1
                return seen[key]! <= limit
            }
        }
        if let eventsOut { try fm.createDirectory(atPath: eventsOut, withIntermediateDirectories: true) }
        var evaluation = ScenarioLeakEvaluation()
        let (raise, window, follow) = (raiseSigmas, windowSteps, followDays)
        evaluation.detector = { step in
            var c = InflowLeakDetector.Config(stepMs: step)
            c.raiseSigmas = raise
            c.windowSteps = window
            c.followDays = follow
            return c
        }
        var summaries: [String: ScenarioSummary] = [:]
        let progress = ProgressBar(label: "eval scenarios")
        for (n, folder) in folders.enumerated() {
            progress.update(n, folders.count)
            let scenario = try ScenarioFolder.read(from: folder)
            let result = pipeline == .live ? try evaluation.runLive(scenario, folder: folder) : try evaluation.run(scenario, folder: folder)
            if result.name == trace || folder.lastPathComponent == trace { print(result.daily.joined(separator: "\n")) }
            summaries[result.network, default: ScenarioSummary(network: result.network)].add(result)
            if let eventsOut {
                let file = URL(fileURLWithPath: eventsOut).appendingPathComponent("\(folder.lastPathComponent).events.json")
                try PrettyJSON.data(ScenarioEvents(scenario: result.name, events: result.events)).write(to: file)
            }
        }
        progress.update(folders.count, folders.count)
        let ordered = summaries.values.sorted { $0.network < $1.network }
        if json {
            try PrettyJSON.print(ordered.map(\.report))
        } else {
            for s in ordered { print(s.render()) }
        }
    }
}

struct ScenarioEvents: Codable {
    var scenario: String
    var events: [ScenarioLeakEvaluation.Event]
}

/// Pooled scores of one network's scenarios.
struct ScenarioSummary {
    let network: String
    var scenarios = 0
    var waterline = LeakDBScore()
    var baseline = LeakDBScore()
    var localisationErrors: [Double] = []
    var lossErrors: [Double] = []
    var relativeLossErrors: [Double] = []
    var events = 0
    var unmatchedEvents = 0
    var detectedLeaks = 0
    var labelledLeaks = 0

    init(network: String) { self.network = network }

    mutating func add(_ r: ScenarioLeakEvaluation.Result) {
        scenarios += 1
        waterline.add(labels: r.labels, alarms: r.alarms, leakWindows: r.leakWindows)
        baseline.add(labels: r.labels, alarms: r.baselineAlarms, leakWindows: r.leakWindows)
        events += r.events.count
        unmatchedEvents += r.events.filter { $0.matchedNodeID == nil }.count
        detectedLeaks += r.leaks.filter(\.detected).count
        labelledLeaks += r.leaks.count
        localisationErrors += r.leaks.compactMap(\.localisationErrorM)
        for leak in r.leaks {
            guard let loss = leak.lossM3, let truth = leak.truthM3 else { continue }
            lossErrors.append(loss - truth)
            if truth > 0 { relativeLossErrors.append(abs(loss - truth) / truth) }
        }
    }

    struct Report: Codable {
        var network: String
        var scenarios: Int
        /// Leak windows as LeakDB scores them (overlapping leaks merged).
        var leakWindows: Int
        var labelledLeaks: Int
        var detectedLeaks: Int
        var events: Int
        var unmatchedEvents: Int
        var waterline: Scores
        var mnfBaseline: Scores
        var medianLocalisationErrorM: Double?
        var localisedLeaks: Int
        var medianAbsoluteLossErrorM3: Double?
        var medianRelativeLossError: Double?

        struct Scores: Codable {
            var f1, truePositiveRate, trueNegativeRate, matthews, earlyDetection: Double
            var truePositives, falsePositives, trueNegatives, falseNegatives: Int
        }
    }

    var report: Report {
        func scores(_ s: LeakDBScore) -> Report.Scores {
            .init(f1: s.f1, truePositiveRate: s.truePositiveRate, trueNegativeRate: s.trueNegativeRate,
                  matthews: s.matthews, earlyDetection: s.earlyDetection, truePositives: s.truePositives,
                  falsePositives: s.falsePositives, trueNegatives: s.trueNegatives, falseNegatives: s.falseNegatives)
        }
        return Report(
            network: network, scenarios: scenarios, leakWindows: waterline.leaks, labelledLeaks: labelledLeaks, detectedLeaks: detectedLeaks, events: events,
            unmatchedEvents: unmatchedEvents,
            waterline: scores(waterline), mnfBaseline: scores(baseline),
            medianLocalisationErrorM: Self.median(localisationErrors), localisedLeaks: localisationErrors.count,
            medianAbsoluteLossErrorM3: Self.median(lossErrors.map(abs)), medianRelativeLossError: Self.median(relativeLossErrors))
    }

    static func median(_ xs: [Double]) -> Double? {
        guard !xs.isEmpty else { return nil }
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    func render() -> String {
        let r = report
        func row(_ name: String, _ s: Report.Scores) -> String {
            String(format: "  %-10@ F1 %.3f  TPR %.3f  TNR %.3f  MCC %.3f  early detection %.1f", name as NSString,
                   s.f1, s.truePositiveRate, s.trueNegativeRate, s.matthews, s.earlyDetection)
        }
        var lines = ["\(network): \(scenarios) scenarios, \(labelledLeaks) labelled leaks (\(detectedLeaks) found), \(events) events (\(unmatchedEvents) on no leak)"]
        lines.append(row("waterline", r.waterline))
        lines.append(row("MNF", r.mnfBaseline))
        lines.append("  localisation: median \(r.medianLocalisationErrorM.map { String(format: "%.0f m", $0) } ?? "n/a") along the pipes from the top candidate to the leak, over \(r.localisedLeaks) located leaks")
        lines.append("  loss estimate per leak: median absolute error \(r.medianAbsoluteLossErrorM3.map { String(format: "%.0f m³", $0) } ?? "n/a"), relative \(r.medianRelativeLossError.map { String(format: "%.0f%%", 100 * $0) } ?? "n/a") of the leaks' volume")
        return lines.joined(separator: "\n")
    }
}

extension ScenarioLeakEvaluation.Pipeline: ExpressibleByArgument {}
