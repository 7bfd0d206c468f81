import Cleaning
import CleaningEvaluation
import Foundation

/// Reads SKAB-style CSV files (`;`-separated, a header row, one row a second) into
/// evaluation series: one per file and column, rows taken as consecutive slots (the
/// timestamps' irregularities are ignored).
enum SKABLoader {
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    /// Every `*.csv` under `directory`, recursively, in path order.
    static func csvFiles(under directory: String) throws -> [URL] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError(description: "\(root.path): no such directory")
        }
        let files = (FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?.allObjects ?? [])
            .compactMap { $0 as? URL }
            .filter { $0.pathExtension.lowercased() == "csv" }
            .sorted { $0.path < $1.path }
        guard !files.isEmpty else { throw LoadError(description: "\(root.path): no *.csv file in it or below it") }
        return files
    }

    /// The series of `columns` in every CSV file under `directory`, named
    /// `relative/path.csv:column`.
    static func series(in directory: String, columns: [String]) throws -> [EvaluationSeries] {
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        var out: [EvaluationSeries] = []
        for file in try csvFiles(under: directory) {
            let table = try read(file, columns: columns)
            var name = file.standardizedFileURL.path
            if name.hasPrefix(root + "/") { name.removeFirst(root.count + 1) }
            for column in columns {
                out.append(
                    EvaluationSeries(
                        name: "\(name):\(column)", values: table[column]!, aggregation: aggregation(of: column),
                        unitFactor: unitFactor(of: column)))
            }
        }
        return out
    }

    /// The values of `columns` in one file.
    static func read(_ file: URL, columns: [String]) throws -> [String: [Double]] {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw LoadError(description: "\(file.path): cannot read: \(error.localizedDescription)")
        }
        var lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }[...]
        guard let header = lines.popFirst() else { throw LoadError(description: "\(file.path): empty file") }
        let names = header.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var indices: [String: Int] = [:]
        for column in columns {
            guard let i = names.firstIndex(of: column) else {
                throw LoadError(
                    description: "\(file.path): no column \"\(column)\" (it has \(names.joined(separator: ", ")))")
            }
            indices[column] = i
        }
        var values: [String: [Double]] = Dictionary(uniqueKeysWithValues: columns.map { ($0, []) })
        for (row, line) in lines.enumerated() {
            let fields = line.split(separator: ";", omittingEmptySubsequences: false)
            for (column, i) in indices {
                guard i < fields.count, let v = Double(fields[i].trimmingCharacters(in: .whitespaces)), v.isFinite else {
                    throw LoadError(description: "\(file.path):\(row + 2): no number in column \"\(column)\"")
                }
                values[column]!.append(v)
            }
        }
        return values
    }

    /// Pressure is taken per slot as the median (robust to transients), everything else
    /// as the mean, as the preprocess service does.
    static func aggregation(of column: String) -> SlotAggregation {
        column.lowercased().contains("pressure") ? .median : .mean
    }

    /// The unit a column is switched to during the unit-switch fault: a pressure in bar
    /// sent in kPa (×100), a flow in m³/h sent in l/s (÷3.6), anything else in a
    /// thousandth of its unit (×1000, say V sent as mV).
    static func unitFactor(of column: String) -> Double {
        let c = column.lowercased()
        if c.contains("pressure") { return 100 }
        if c.contains("flow") { return 1 / 3.6 }
        return 1000
    }
}
