import Foundation
import HistoryImport
import Hummingbird
import Logging
import Mongo
import Simulation
import WaterlineBus
import WaterlineKit

/// History imports started over REST (`POST /api/v1/imports`, administrators): the
/// gateway is then a client of ingest exactly as `waterline import` is. The uploaded file
/// is spooled to disk and sent in windows of whole hours (``HistoryImporter``); each
/// import is a document in `imports`, written every `heartbeat` while it runs and at its
/// end, so every gateway replica lists every import, and one whose gateway stopped shows
/// as `interrupted` once it has not been written for `staleAfterMs`.
final class HistoryImports: Sendable {
    private let collection: MongoCollection
    private let ingest: RPCClient
    private let spool: URL
    private let logger: Logger
    let maxBytes: Int
    static let heartbeat: Duration = .seconds(5)
    static let staleAfterMs: Int64 = 60_000

    init(mongo: MongoClient, ingest: RPCClient, spool: URL, maxBytes: Int, logger: Logger) {
        collection = mongo.collection(Collections.imports)
        self.ingest = ingest
        self.spool = spool
        self.maxBytes = maxBytes
        self.logger = logger
    }

    /// A file received whole: checks its header, records the import and starts it.
    func start(file: URL, name: String, bytes: Int64, requestedBy: String) async throws -> ImportRecord {
        do {
            let reader = try LineReader(url: file)
            guard let header = try reader.nextLine() else { throw ImportError("the file is empty") }
            _ = try HistoryCSV(header: String(header), file: name)
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw APIError.unprocessable("\(error)", field: "body")
        }
        let now = nowMs()
        var record = ImportRecord(id: "import-\(now)-\(UInt32.random(in: 0...UInt32.max))", name: name, requestedBy: requestedBy, uploadBytes: bytes, startedMs: now)
        try await save(record)
        let started = record
        Task { await self.run(started, file: file) }
        logger.info("gateway: import started", metadata: ["import": "\(record.id)", "name": "\(name)", "by": "\(requestedBy)", "bytes": "\(bytes)"])
        record.updatedMs = now
        return record
    }

    /// Writes a request body to the spool folder as it arrives, at most `maxBytes`; the
    /// file is named `.csv.gz` when it starts with gzip's magic bytes, else `.csv`.
    func receive<Body: AsyncSequence>(_ body: Body) async throws -> (file: URL, bytes: Int64) where Body.Element == ByteBuffer {
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        let part = spool.appendingPathComponent("upload-\(nowMs())-\(UInt32.random(in: 0...UInt32.max)).part")
        guard FileManager.default.createFile(atPath: part.path, contents: nil), let handle = try? FileHandle(forWritingTo: part) else {
            throw APIError(status: .serviceUnavailable, code: "spool_unavailable", message: "the gateway cannot write to WATERLINE_IMPORT_DIR")
        }
        var bytes: Int64 = 0
        var head: [UInt8] = []
        do {
            for try await buffer in body {
                bytes += Int64(buffer.readableBytes)
                guard bytes <= Int64(maxBytes) else {
                    throw APIError(status: .contentTooLarge, code: "body_too_large", message: "the file exceeds \(maxBytes) bytes (WATERLINE_MAX_IMPORT_BYTES); import it with 'waterline import'")
                }
                if head.count < 2 { head += buffer.readableBytesView.prefix(2 - head.count) }
                try handle.write(contentsOf: buffer.readableBytesView)
            }
            try handle.close()
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: part)
            if let error = error as? APIError { throw error }
            throw APIError.badRequest("could not read the request body: \(error)")
        }
        let file = part.deletingPathExtension().appendingPathExtension(head == [0x1f, 0x8b] ? "csv.gz" : "csv")
        try FileManager.default.moveItem(at: part, to: file)
        return (file, bytes)
    }

    func list(limit: Int) async throws -> [ImportRecord] {
        try await collection.find([:], sort: ["started_ms": -1], limit: limit).map(ImportRecord.init(document:))
    }

    func get(_ id: String) async throws -> ImportRecord? {
        try await collection.findOne(["_id": .string(id)]).map(ImportRecord.init(document:))
    }

    private func run(_ initial: ImportRecord, file: URL) async {
        let record = Locked(initial)
        let replayer = Replayer(client: ingest, retryFor: .seconds(300), source: "import:\(initial.requestedBy)")
        var importer = HistoryImporter(replayer: replayer, progressDirectory: spool.appendingPathComponent("progress"), again: true)
        importer.onNote = { _ in }
        importer.onProgress = { status in record.withLock { $0.update(status) } }
        let beat = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.heartbeat)
                try? await self.save(record.withLock { $0 })
            }
        }
        do {
            _ = try await importer.importFile(file, name: initial.name)
            record.withLock { $0.status = "succeeded" }
        } catch {
            record.withLock { r in
                r.status = "failed"
                r.error = "\(error)"
            }
            logger.warning("gateway: import failed", metadata: ["import": "\(initial.id)", "error": "\(error)"])
        }
        beat.cancel()
        record.withLock { $0.finishedMs = nowMs() }
        // The outcome must be stored: try for as long as a database outage may last.
        var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5))
        for _ in 0..<60 {
            do {
                try await save(record.withLock { $0 })
                break
            } catch { try? await Task.sleep(for: backoff.next()) }
        }
        try? FileManager.default.removeItem(at: file)
        try? FileManager.default.removeItem(at: ImportProgress.location(of: file, in: spool.appendingPathComponent("progress")))
    }

    private func save(_ record: ImportRecord) async throws {
        var document = record.document
        document["updated_ms"] = .int64(nowMs())
        _ = try await collection.bulkWrite([.replaceOne(filter: ["_id": .string(record.id)], replacement: document, upsert: true)]).checked("save import")
    }
}

/// One import as `imports` keeps it and `GET /api/v1/imports` shows it.
struct ImportRecord: Sendable {
    var id: String
    var name: String
    var requestedBy: String
    /// `running`, `succeeded`, `failed`; shown as `interrupted` when a running one has not
    /// moved for a minute (its gateway stopped).
    var status = "running"
    var uploadBytes: Int64
    var bytesRead: Int64 = 0
    var totalBytes: Int64 = 0
    var sent = 0
    var stored = 0
    var duplicates = 0
    var conflicts = 0
    var rejected = 0
    var retries = 0
    var startedMs: Int64
    var updatedMs: Int64 = 0
    var finishedMs: Int64 = 0
    var seconds = 0.0
    var error = ""

    init(id: String, name: String, requestedBy: String, uploadBytes: Int64, startedMs: Int64) {
        self.id = id
        self.name = name
        self.requestedBy = requestedBy
        self.uploadBytes = uploadBytes
        self.startedMs = startedMs
    }

    mutating func update(_ status: HistoryImporter.Status) {
        bytesRead = status.bytesRead
        totalBytes = status.totalBytes ?? 0
        sent = status.stats.sent
        stored = status.stats.accepted
        duplicates = status.stats.duplicates
        conflicts = status.stats.conflicts
        rejected = status.stats.rejected
        retries = status.stats.retries
        seconds = status.seconds
    }

    var document: Document {
        [
            "_id": .string(id), "name": .string(name), "requested_by": .string(requestedBy), "status": .string(status),
            "upload_bytes": .int64(uploadBytes), "bytes_read": .int64(bytesRead), "total_bytes": .int64(totalBytes),
            "sent": .int64(Int64(sent)), "stored": .int64(Int64(stored)), "duplicates": .int64(Int64(duplicates)),
            "conflicts": .int64(Int64(conflicts)), "rejected": .int64(Int64(rejected)), "retries": .int64(Int64(retries)),
            "started_ms": .int64(startedMs), "finished_ms": .int64(finishedMs), "seconds": .double(seconds), "error": .string(error),
        ]
    }

    init(document d: Document) {
        func int(_ key: String) -> Int64 { d[key]?.int64Value ?? 0 }
        self.init(id: d["_id"]?.stringValue ?? "", name: d["name"]?.stringValue ?? "", requestedBy: d["requested_by"]?.stringValue ?? "",
                  uploadBytes: int("upload_bytes"), startedMs: int("started_ms"))
        status = d["status"]?.stringValue ?? "running"
        bytesRead = int("bytes_read")
        totalBytes = int("total_bytes")
        sent = Int(int("sent"))
        stored = Int(int("stored"))
        duplicates = Int(int("duplicates"))
        conflicts = Int(int("conflicts"))
        rejected = Int(int("rejected"))
        retries = Int(int("retries"))
        updatedMs = int("updated_ms")
        finishedMs = int("finished_ms")
        seconds = d["seconds"]?.doubleValue ?? 0
        error = d["error"]?.stringValue ?? ""
    }

    /// The REST view: `progress` is the share of the file read (null when the size of a
    /// gzip file's text is unknown), `rate` readings sent per second.
    func json(nowMs: Int64) -> [String: Any] {
        let shown = status == "running" && nowMs - updatedMs > HistoryImports.staleAfterMs ? "interrupted" : status
        var out: [String: Any] = [
            "import_id": id, "name": name, "requested_by": requestedBy, "status": shown, "upload_bytes": uploadBytes,
            "bytes_read": bytesRead, "readings_sent": sent, "stored": stored, "duplicates": duplicates, "conflicts": conflicts,
            "rejected": rejected, "retries": retries, "started_ms": startedMs, "updated_ms": updatedMs,
            "rate": seconds > 0 ? Double(sent) / seconds : 0,
            "progress": status == "succeeded" ? 1.0 : (totalBytes > 0 ? min(1, Double(bytesRead) / Double(totalBytes)) : NSNull() as Any),
        ]
        if finishedMs > 0 { out["finished_ms"] = finishedMs }
        if !error.isEmpty { out["error"] = error }
        return out
    }
}
