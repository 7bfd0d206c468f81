import ArgumentParser
import Detection
import Foundation

/// `waterline eval skab`: the Skoltech Anomaly Benchmark's published protocol for
/// outlier detection — in each file the first 400 rows fit the detector, the rest are
/// scored point by point; F1, false alarm rate and missing alarm rate pooled over all
/// test points of all files.
struct EvalSKABCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skab",
        abstract: "Score the multivariate shift detector on SKAB with its published protocol (first 400 rows of each file fit, the rest scored; F1, FAR, MAR pooled).")

    @Option(help: "SKAB data folder (valve1/, valve2/, other/ with ';'-separated CSV files); anomaly-free/ is skipped.")
    var data: String

    @Flag(help: "Print the results as JSON.")
    var json = false

    @Option(help: "Rows that fit the detector at the start of each file (the protocol's 400).")
    var fitRows = 400

    @Option(help: "Rows in the exponential moving average of the shift statistic.")
    var smoothingRows = 20.0

    @Option(help: "Alarm above this multiple of the smoothed statistic's largest value while fitting.")
    var thresholdFactor = 1.5

    @Option(help: "Comma-separated sensor columns the detector watches (default: all but the two temperatures, which drift for minutes after the fitting rows whatever the valves do).")
    var columns = Self.sensors.joined(separator: ",")

    static let sensors = [
        "Accelerometer1RMS", "Accelerometer2RMS", "Current", "Pressure", "Voltage", "Volume Flow RateRMS",
    ]

    struct Report: Codable {
        var files: Int
        var testPoints: Int
        var anomalousShare: Double
        var f1: Double
        var falseAlarmRate: Double
        var missingAlarmRate: Double
        var truePositives, falsePositives, trueNegatives, falseNegatives: Int
        var method: String
    }

    func run() throws {
        let sensors = columns.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !sensors.isEmpty else { throw ValidationError("--columns names no column") }
        let files = try SKABLoader.csvFiles(under: data).filter { !$0.path.contains("anomaly-free") }
        var config = MultivariateShiftDetector.Config()
        config.smoothingRows = smoothingRows
        config.thresholdFactor = thresholdFactor
        var (tp, fp, tn, fn) = (0, 0, 0, 0)
        var used = 0
        for file in files {
            let table = try SKABLoader.read(file, columns: sensors + ["anomaly"])
            let count = table["anomaly"]!.count
            guard count > fitRows + 1 else { continue }
            let rows = (0..<count).map { i in sensors.map { table[$0]![i] } }
            guard var detector = MultivariateShiftDetector(fitting: Array(rows.prefix(fitRows)), config: config) else {
                throw ValidationError("\(file.path): cannot fit the detector on its first \(fitRows) rows")
            }
            used += 1
            for i in fitRows..<count {
                let alarmed = detector.observe(rows[i]).alarmed
                let anomalous = table["anomaly"]![i] >= 0.5
                switch (anomalous, alarmed) {
                case (true, true): tp += 1
                case (false, true): fp += 1
                case (false, false): tn += 1
                case (true, false): fn += 1
                }
            }
        }
        let total = tp + fp + tn + fn
        let report = Report(
            files: used, testPoints: total, anomalousShare: Double(tp + fn) / Double(max(1, total)),
            f1: Double(2 * tp) / Double(max(1, 2 * tp + fp + fn)),
            falseAlarmRate: Double(fp) / Double(max(1, fp + tn)), missingAlarmRate: Double(fn) / Double(max(1, fn + tp)),
            truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn,
            method: "multivariate shift over \(sensors.joined(separator: ", ")) (robust Mahalanobis, shrinkage \(config.shrinkage), EWMA \(smoothingRows) rows, threshold ×\(thresholdFactor) of the fitting peak)")
        if json {
            try PrettyJSON.print(report)
        } else {
            print(String(
                format: "SKAB (%d files, %d test points, %.0f%% anomalous): F1 %.3f  FAR %.2f%%  MAR %.2f%%\n  %@",
                report.files, report.testPoints, 100 * report.anomalousShare, report.f1, 100 * report.falseAlarmRate,
                100 * report.missingAlarmRate, report.method as NSString))
        }
    }
}
