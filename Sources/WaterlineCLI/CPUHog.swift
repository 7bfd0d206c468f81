import Foundation

/// A process that keeps one core busy (`yes > /dev/null`), for the overload test and
/// benchmark: it stands for the other work of a busy machine. It ends with ``stop()``,
/// and by itself when the process that started it goes away.
///
/// The hog is `yes` itself (the shell execs it), stopped with SIGKILL: a child of the test
/// runner inherits its blocked signals, so SIGTERM stayed pending and a busy `yes`
/// outlived every `make test` run. Beside it a watcher polls this process through /proc
/// (a zombie counts as gone: where nothing reaps exited processes, its pid still answers
/// `kill -0`) and SIGKILLs `yes` when this process has ended without stopping it.
public final class CPUHog: @unchecked Sendable {
    // @unchecked: the process handle is set once in init and only read afterwards.
    private let process = Process()

    public init() throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c",
            "(while [ -d /proc/$1 ] && ! grep -q '^State:.*Z' /proc/$1/status 2>/dev/null; do sleep 1; done; kill -9 $$) & exec yes > /dev/null",
            "hog", String(getpid()),
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
