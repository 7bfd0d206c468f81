import Foundation
import WaterlineBus

/// A child process whose standard output is collected line by line while it runs
/// (a subscriber such as `waterline-tail`). Killed when dropped without `stop`.
public final class LineProcess: @unchecked Sendable {
    // @unchecked: `process` is set once in init; the buffers are behind locks.
    private let process = Process()
    private let lines = Locked<[String]>([])
    private let partial = Locked(Data())
    private let errors = Locked(Data())

    public init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let (lines, partial, errors) = (lines, partial, errors)
        out.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            let complete = partial.withLock { buffer -> [String] in
                buffer.append(data)
                var found: [String] = []
                while let newline = buffer.firstIndex(of: 0x0A) {
                    found.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
                return found
            }
            if !complete.isEmpty { lines.withLock { $0 += complete } }
        }
        err.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if !data.isEmpty { errors.withLock { $0.append(data) } }
        }
        try process.run()
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    public var pid: Int32 { process.processIdentifier }
    public var output: [String] { lines.value }
    public var standardError: String { String(decoding: errors.value, as: UTF8.self) }
    public var isRunning: Bool { process.isRunning }
    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Sends SIGTERM and waits (polling, so other tests' tasks keep running) for the exit.
    @discardableResult
    public func stop(timeout: Duration = .seconds(10)) async -> Int32? {
        if process.isRunning { kill(process.processIdentifier, SIGCONT); kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? await Task.sleep(for: .milliseconds(200))  // the last output
        return exitStatus
    }
}
