import Foundation

/// Reads a text file line by line in large chunks, a gzip file (`.gz`) through `gzip -dc`,
/// and says how far it has read: for progress on files of any size without holding them.
public final class LineReader {
    let url: URL
    /// Bytes of text read so far (decompressed, for a gzip file).
    private(set) var bytesRead: Int64 = 0
    /// The size of the text, when known (a gzip file says its own, modulo 4 GiB).
    let totalBytes: Int64?
    private let handle: FileHandle
    private let process: Process?
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var finished = false

    static let chunkSize = 4 << 20

    public init(url: URL) throws {
        self.url = url
        if url.pathExtension == "gz" {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["gzip", "-dc", url.path]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.standardError
            try process.run()
            self.process = process
            handle = pipe.fileHandleForReading
            totalBytes = Self.gzipSize(url)
        } else {
            handle = try FileHandle(forReadingFrom: url)
            process = nil
            totalBytes = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
        }
    }

    deinit {
        if let process, process.isRunning { process.terminate() }
        try? handle.close()
    }

    /// The next line without its line end; nil at the end of the file.
    public func nextLine() throws -> Substring? {
        while true {
            if let newline = pending[pendingStart...].firstIndex(of: 10) {
                let line = String(decoding: pending[pendingStart..<newline], as: UTF8.self)
                bytesRead += Int64(newline - pendingStart + 1)
                pendingStart = newline + 1
                return Substring(line)
            }
            if finished {
                guard pendingStart < pending.count else { return nil }
                let line = String(decoding: pending[pendingStart...], as: UTF8.self)
                bytesRead += Int64(pending.count - pendingStart)
                pendingStart = pending.count
                return Substring(line)
            }
            let chunk = try handle.read(upToCount: Self.chunkSize) ?? Data()
            if chunk.isEmpty {
                finished = true
                if let process {
                    process.waitUntilExit()
                    if process.terminationStatus != 0 {
                        throw ImportError("\(url.path): gzip -dc failed (status \(process.terminationStatus)): not a gzip file, or a damaged one")
                    }
                }
            }
            pending.removeFirst(pendingStart)
            pendingStart = 0
            pending.append(contentsOf: chunk)
        }
    }

    /// The uncompressed size a gzip file records in its last four bytes (modulo 4 GiB).
    private static func gzipSize(_ url: URL) -> Int64? {
        guard let h = try? FileHandle(forReadingFrom: url) else { return nil }
        defer { try? h.close() }
        guard let end = try? h.seekToEnd(), end >= 4 else { return nil }
        try? h.seek(toOffset: end - 4)
        guard let tail = try? h.read(upToCount: 4), tail.count == 4 else { return nil }
        let size = tail.reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        return size > 0 ? size : nil
    }
}

/// An import that cannot go on, with the reason.
public struct ImportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
