import Mongo
import SwiftProtobuf
import WaterlineProto

extension PublicReport {
    /// Stored as the message's JSON form (snake_case), keyed by report id, with the
    /// status as its label and the time as a number, so both can be queried.
    public func document() throws -> Document {
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = true
        var d = try Document(json: try jsonString(options: options))
        d["_id"] = .string(reportID)
        d["status"] = .string(status.label)
        d["received_ms"] = .int64(receivedMs)
        return d
    }

    public init(document d: Document) throws {
        var copy = d
        copy["_id"] = nil
        copy["status"] = .string(ReportStatus(label: d["status"]?.stringValue ?? "")?.wireName ?? "REPORT_STATUS_UNSPECIFIED")
        var options = JSONDecodingOptions()
        options.ignoreUnknownFields = true
        try self.init(jsonString: copy.json, options: options)
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
