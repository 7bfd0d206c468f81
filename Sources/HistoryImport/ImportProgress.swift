import Foundation

/// How far the import of one file got, kept between runs so that a second run (after a
/// Ctrl-C, a crash or an outage) goes on from there instead of sending everything again.
/// Saved after every acknowledged flush; keyed by the file's absolute path, and valid
/// only while its size and modification time are unchanged. (Sending a line twice would
/// store nothing twice either: storage is idempotent.)
public struct ImportProgress: Codable, Equatable {
    var path: String
    var size: Int64
    var modifiedMs: Int64
    /// Data lines of the file whose readings are acknowledged.
    var linesDone: Int
    var readingsSent: Int
    var complete: Bool

    /// The default place: `$XDG_STATE_HOME/waterline/imports`, else
    /// `~/.local/state/waterline/imports`.
    public static var defaultDirectory: URL {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_STATE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/state")
        return base.appendingPathComponent("waterline/imports")
    }

    /// The progress file of `file` in `directory`.
    public static func location(of file: URL, in directory: URL) -> URL {
        let path = file.standardizedFileURL.path
        // FNV-1a of the path: a stable, short file name.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return directory.appendingPathComponent(String(format: "%016llx.json", hash))
    }

    /// A fresh record for `file` as it is now.
    static func start(_ file: URL) throws -> ImportProgress {
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = Int64(((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) * 1000)
        return ImportProgress(path: file.standardizedFileURL.path, size: size, modifiedMs: modified, linesDone: 0, readingsSent: 0, complete: false)
    }

    /// The saved progress of `file`, if it is for the file as it is now.
    static func load(_ file: URL, in directory: URL) throws -> ImportProgress? {
        let fresh = try start(file)
        guard let data = try? Data(contentsOf: location(of: file, in: directory)),
              let saved = try? JSONDecoder().decode(ImportProgress.self, from: data),
              saved.path == fresh.path, saved.size == fresh.size, saved.modifiedMs == fresh.modifiedMs
        else { return nil }
        return saved
    }

    func save(in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: Self.location(of: URL(fileURLWithPath: path), in: directory), options: .atomic)
    }
}
