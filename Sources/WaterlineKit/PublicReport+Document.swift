import Mongo
import WaterlineProto

extension PublicReport {
    /// Stored as the message's JSON form (snake_case), keyed by report id, with the
    /// status as its label and the time as a number, so both can be queried.
    public func document() throws -> Document {
        var d = try storedDocument(id: reportID)
        d["status"] = .string(status.label)
        d["received_ms"] = .int64(receivedMs)
        return d
    }

    public init(document d: Document) throws {
        var copy = d
        copy["status"] = .string(ReportStatus(label: d["status"]?.stringValue ?? "")?.wireName ?? "REPORT_STATUS_UNSPECIFIED")
        try self.init(storedDocument: copy)
    }
}

extension ReportStatus {
    /// `new`, `reviewed`, `dismissed`.
    public var label: String {
        switch self {
        case .new: "new"
        case .reviewed: "reviewed"
        case .dismissed: "dismissed"
        default: "unspecified"
        }
    }

    public init?(label: String) {
        guard let match = ReportStatus.allCases.first(where: { $0.label == label }) else { return nil }
        self = match
    }

    var wireName: String { "REPORT_STATUS_" + label.uppercased() }
}
