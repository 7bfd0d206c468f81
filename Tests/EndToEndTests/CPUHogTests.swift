import Foundation
import Testing
import WaterlineCLI

/// The hog used by the overload test and bench must not outlive its stop(): a leaked
/// `yes` makes every later test on the machine run beside an extra busy process.
@Suite struct CPUHogTests {
    @Test func stopEndsTheBusyProcess() async throws {
        let before = busyChildren()
        let hog = try CPUHog()
        var started: Set<Int32> = []
        for _ in 0..<50 where started.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            started = busyChildren().subtracting(before)
        }
        #expect(started.count == 1, "expected one `yes` child of this process, found \(started)")
        hog.stop()
        var left = started
        for _ in 0..<50 where !left.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            left = left.filter(isAlive)
        }
        #expect(left.isEmpty, "`yes` still running after stop(): \(left)")
    }

    /// Children of this process running `yes` (not zombies).
    private func busyChildren() -> Set<Int32> {
        let me = String(getpid())
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return Set(entries.compactMap(Int32.init).filter { pid in
            guard let status = status(of: pid) else { return false }
            return status["Name"] == "yes" && status["PPid"] == me && status["State"]?.hasPrefix("Z") == false
        })
    }

    private func isAlive(_ pid: Int32) -> Bool {
        status(of: pid).map { $0["State"]?.hasPrefix("Z") == false } ?? false
    }

    /// The fields of /proc/<pid>/status (nil: no such process).
    private func status(of pid: Int32) -> [String: String]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return Dictionary(text.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }, uniquingKeysWith: { a, _ in a })
    }
}
