import Foundation
import WaterlineBus
import WaterlineProto

/// What a public report may hold. The gateway checks it to answer the form with a
/// clear message; insight checks it again before storing, whoever calls.
public enum PublicReportRules {
    public static let nameLength = 1...80
    public static let localityLength = 1...120
    public static let remarkLength = 0...1000

    /// The first rule `report` breaks, as an INVALID_ARGUMENT naming the field.
    public static func check(_ report: PublicReport) throws(RPCError) {
        try text(report.name, "name", nameLength, allowed: "letters, spaces and . ' -", isAllowed: { $0.isLetter || " .'-".contains($0) })
        try text(report.locality, "locality", localityLength, allowed: "letters, digits, spaces and , . ' - / #") {
            $0.isLetter || $0.isNumber || " ,.'-/#".contains($0)
        }
        try text(report.remark, "remark", remarkLength, allowed: "text without < > or control characters") {
            !"<>".contains($0) && ($0 == "\n" || !$0.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) })
        }
        if report.positionGiven {
            guard report.lat.isFinite, (-90...90).contains(report.lat) else {
                throw .invalidArgument("lat must be a latitude between -90 and 90", field: "lat")
            }
            guard report.lon.isFinite, (-180...180).contains(report.lon) else {
                throw .invalidArgument("lon must be a longitude between -180 and 180", field: "lon")
            }
        }
    }

    private static func text(
        _ value: String, _ field: String, _ length: ClosedRange<Int>, allowed: String, isAllowed: (Character) -> Bool
    ) throws(RPCError) {
        // Bytes first: one Character can carry any number of combining marks, so a
        // character count alone would let megabytes through as "1 character".
        guard value.utf8.count <= 4 * length.upperBound + 64 else {
            throw .invalidArgument("\(field) is too long (at most \(length.upperBound) characters)", field: field)
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if let stacked = trimmed.first(where: { $0.unicodeScalars.count > 4 }) {
            throw .invalidArgument("\(field) holds a character with too many accents ('\(stacked.unicodeScalars.first.map(String.init) ?? "")…')", field: field)
        }
        guard length.contains(trimmed.count) else {
            throw .invalidArgument(
                length.lowerBound > 0 && trimmed.isEmpty
                    ? "\(field) is required" : "\(field) must be at most \(length.upperBound) characters (got \(trimmed.count))",
                field: field)
        }
        if let bad = trimmed.first(where: { !isAllowed($0) }) {
            throw .invalidArgument("\(field) may hold only \(allowed); '\(bad)' is not allowed", field: field)
        }
    }
}
