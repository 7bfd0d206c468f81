import Foundation

/// A process that keeps one core busy (`yes > /dev/null`), for the overload test and
/// benchmark: it stands for the other work of a busy machine. It ends with ``stop()``,
/// and by itself when the process that started it goes away.
public final class CPUHog: @unchecked Sendable {
    // @unchecked: the process handle is set once in init and only read afterwards.
    private let process = Process()

    public init() throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", "yes > /dev/null & c=$!; trap 'kill $c; exit 0' TERM; while kill -0 $1 2>/dev/null; do sleep 0.5; done; kill $c",
            "hog", String(getpid()),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    public func stop() {
        if process.isRunning { process.terminate() }
    }
}
