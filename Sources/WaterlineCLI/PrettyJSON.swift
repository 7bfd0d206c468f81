import Foundation

/// The JSON the `--json` flags print and `--events-out` writes: sorted keys, indented.
enum PrettyJSON {
    static func data(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(value)
    }

    static func print(_ value: some Encodable) throws {
        Swift.print(String(decoding: try data(value), as: UTF8.self))
    }
}
