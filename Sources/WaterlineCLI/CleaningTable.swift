import CleaningEvaluation
import Foundation

/// The readable form of a ``CleaningReport``: per fault kind, the precision, recall and
/// F1 of the flag that names it for the real cleaner and both baselines, then the
/// delivery faults, the unit switch and the errors.
enum CleaningTable {
    static func render(_ report: CleaningReport) -> String {
        let a = report.aggregate
        let methods: [(String, MethodResult)] = [("waterline", a.waterline), ("threshold", a.threshold), ("none", a.none)]
        let slots = report.series.reduce(0) { $0 + $1.profile.count }
        var lines: [String] = []
        lines.append("Cleaning evaluation: \(report.series.count) series, \(slots) slots, seed \(report.seed)")
        let injected = FaultKind.allCases.map { k in
            "\(k.rawValue) \(report.faultCounts[k.rawValue] ?? 0) (\(report.faultSlots[k.rawValue] ?? 0) slots)"
        }
        lines.append("Injected: " + injected.joined(separator: ", "))
        lines.append("")

        lines.append(
            pad("fault", 11) + pad("flag", 9)
                + methods.map { pad("\($0.0)  P / R / F1", 24) }.joined())
        let kinds: [(String, String, KeyPath<MethodResult, FlagScore>)] = [
            ("spike", "spike", \.spike), ("stuck", "stuck", \.stuck),
            ("long gap", "gap", \.longGap), ("short gap", "imputed", \.shortGap),
        ]
        for (name, flag, path) in kinds {
            lines.append(
                pad(name, 11) + pad(flag, 9)
                    + methods.map { m in
                        let s = m.1[keyPath: path]
                        return pad("\(rate(s.precision)) \(rate(s.recall)) \(rate(s.f1))", 24)
                    }.joined())
        }
        for (name, _, path) in kinds {
            lines.append(
                pad("  \(name)", 20) + "caught by any flag: "
                    + methods.map { "\($0.0) \(rate($0.1[keyPath: path].anyFlagRecall))" }.joined(separator: ", "))
        }
        lines.append("")

        lines.append(
            "duplicates dropped/injected: "
                + methods.map { "\($0.0) \($0.1.duplicates.dropped)/\($0.1.duplicates.injected)" }.joined(separator: ", "))
        lines.append(
            "out-of-order bursts intact: "
                + methods.map { "\($0.0) \($0.1.outOfOrder.intact)/\($0.1.outOfOrder.bursts)" }.joined(separator: ", ")
                + "  (late readings: waterline \(a.waterline.outOfOrder.lateReadings))")
        let u = a.waterline.unitSwitch
        lines.append(
            "unit switch, \(u.slots) slots (no per-reading unit check): "
                + methods.map { "\($0.0) out of range \($0.1.unitSwitch.outOfRange), spike \($0.1.unitSwitch.spike), unflagged \($0.1.unitSwitch.unflagged)" }
                .joined(separator: "; "))
        lines.append("")

        lines.append("RMSE vs untouched, all values:      " + methods.map { "\($0.0) \(number($0.1.error.rmse))" }.joined(separator: ", "))
        lines.append("RMSE vs untouched, usable values:   " + methods.map { "\($0.0) \(number($0.1.usableError.rmse))" }.joined(separator: ", "))
        lines.append(
            "imputation RMSE, gaps <= 5 steps:   "
                + methods.map { m in
                    let filled = m.1.imputation.count
                    return filled == 0
                        ? "\(m.0) none filled"
                        : "\(m.0) \(number(m.1.imputation.rmse)) vs linear \(number(m.1.linearImputation.rmse)) (\(filled) slots)"
                }.joined(separator: ", "))
        lines.append(
            "values inside long gaps (must be 0): " + methods.map { "\($0.0) \($0.1.valuesInLongGaps)" }.joined(separator: ", "))
        lines.append("")
        lines.append(contentsOf: byColumn(report))
        return lines.joined(separator: "\n")
    }

    /// The real cleaner's spike and stuck scores per column (the part of a series name
    /// after the last `:`), since sensors of different kinds fail differently.
    private static func byColumn(_ report: CleaningReport) -> [String] {
        var columns: [String] = []
        var sums: [String: MethodResult] = [:]
        for s in report.series {
            let column = s.name.split(separator: ":").last.map(String.init) ?? s.name
            if sums[column] == nil { columns.append(column) }
            sums[column] = (sums[column] ?? MethodResult()) + s.results.waterline
        }
        return ["waterline by column:"]
            + columns.map { c in
                let r = sums[c]!
                return "  \(pad(c, 22)) spike P/R/F1 \(rate(r.spike.precision)) \(rate(r.spike.recall)) \(rate(r.spike.f1))"
                    + " (any flag \(rate(r.spike.anyFlagRecall)))  stuck F1 \(rate(r.stuck.f1))"
                    + "  usable RMSE \(number(r.usableError.rmse))"
            }
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count)
    }

    private static func rate(_ x: Double?) -> String {
        x.map { String(format: "%.3f", $0) } ?? "  -  "
    }

    private static func number(_ x: Double?) -> String {
        x.map { String(format: "%.4g", $0) } ?? "-"
    }
}
