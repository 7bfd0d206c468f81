import Foundation
import HistoryImport

/// One status line on standard error, redrawn as an import goes: how far through the
/// file, readings sent, and the rate.
struct ImportStatusLine {
    let name: String

    func show(_ status: HistoryImporter.Status) {
        let share = status.totalBytes.map { String(format: "%3.0f%% ", min(100, Double(status.bytesRead) / Double(max(1, $0)) * 100)) } ?? ""
        let line = String(format: "\r%@ %@%d readings sent, %.0f readings/s  ", name, share, status.stats.sent, Double(status.stats.sent) / max(0.001, status.seconds))
        FileHandle.standardError.write(Data((line + (status.finished ? "\n" : "")).utf8))
    }
}
