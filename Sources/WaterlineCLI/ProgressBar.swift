import Foundation

/// A one-line progress bar on standard error, redrawn at most ten times a second.
final class ProgressBar: @unchecked Sendable {
    // @unchecked: only touched from the single task that runs the replay.
    private let label: String
    private var lastDraw = ContinuousClock.now - .seconds(1)
    private let started = ContinuousClock.now

    init(label: String) { self.label = label }

    func update(_ done: Int, _ total: Int) {
        let now = ContinuousClock.now
        guard done == total || now - lastDraw > .milliseconds(100) else { return }
        lastDraw = now
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(fraction * 30)
        let elapsed = Double((now - started).components.seconds) + Double((now - started).components.attoseconds) / 1e18
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let line = String(format: "\r%@ [%@%@] %3.0f%% %d/%d  %.0f/s", label,
                          String(repeating: "#", count: filled), String(repeating: ".", count: 30 - filled),
                          fraction * 100, done, total, rate)
        FileHandle.standardError.write(Data(line.utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
