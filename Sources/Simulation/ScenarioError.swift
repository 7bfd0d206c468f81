import Foundation

/// A scenario folder could not be read or written.
///
/// The message names the file and, for a malformed row, its 1-based line number:
/// `readings.csv:17: expected 3 fields, found 2`.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// File name inside the scenario folder, e.g. `readings.csv`.
    public let file: String
    /// 1-based line number of the offending line, when the problem is on one line.
    public let line: Int?
    /// What is wrong, in words.
    public let message: String

    private init(file: String, line: Int?, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// `file:line: message`, or `file: message` when no line applies.
    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }

    /// Same as ``description``.
    public var errorDescription: String? { description }

    // MARK: - Constructors

    static func malformed(_ file: String, line: Int, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: line, message: message)
    }

    static func missingFile(_ file: String, in dir: URL) -> ScenarioError {
        ScenarioError(file: file, line: nil, message: "missing in \(dir.path)")
    }

    static func io(_ file: String, _ error: any Error) -> ScenarioError {
        ScenarioError(file: file, line: nil, message: "\(error.localizedDescription)")
    }

    static func invalid(_ file: String, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: nil, message: message)
    }

    static func json(_ file: String, _ error: any Error) -> ScenarioError {
        guard let decoding = error as? DecodingError else {
            return ScenarioError(file: file, line: nil, message: "invalid JSON: \(error)")
        }
        let context: DecodingError.Context
        switch decoding {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            context = c
        case .keyNotFound(let key, let c):
            let path = (c.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return ScenarioError(file: file, line: nil, message: "missing key '\(path)'")
        @unknown default:
            return ScenarioError(file: file, line: nil, message: "invalid JSON: \(error)")
        }
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        let at = path.isEmpty ? "" : " at '\(path)'"
        return ScenarioError(file: file, line: nil, message: "invalid JSON\(at): \(context.debugDescription)")
    }
}
