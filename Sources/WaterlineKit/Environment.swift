import Foundation

/// A missing or malformed environment variable; start-up stops with its message.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let variable: String
    public let reason: String
    public var description: String { "configuration error: \(variable) \(reason)" }

    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }
}

/// Reads a service's configuration from environment variables, and nothing else.
public struct Environment: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String] = ProcessInfo.processInfo.environment) {
        self.values = values
    }

    public func required(_ name: String) throws(ConfigError) -> String {
        guard let value = values[name], !value.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConfigError(variable: name, reason: "is required but not set")
        }
        return value
    }

    public func string(_ name: String, default fallback: String) -> String {
        guard let value = values[name], !value.isEmpty else { return fallback }
        return value
    }

    public func int(_ name: String, default fallback: Int, range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigError) -> Int {
        guard let text = values[name], !text.isEmpty else { return fallback }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigError(variable: name, reason: "must be an integer, got '\(text)'")
        }
        guard range.contains(value) else {
            throw ConfigError(variable: name, reason: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }

    /// A finite decimal number within `range`.
    public func double(_ name: String, default fallback: Double, range: ClosedRange<Double>) throws(ConfigError) -> Double {
        guard let text = values[name], !text.isEmpty else { return fallback }
        guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw ConfigError(variable: name, reason: "must be a number, got '\(text)'")
        }
        guard range.contains(value) else {
            throw ConfigError(variable: name, reason: "must be in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return value
    }

    /// A ZeroMQ endpoint such as `tcp://host:7001` (`ipc://` and `inproc://` too).
    public func endpoint(_ name: String, default fallback: String? = nil) throws(ConfigError) -> String {
        let value: String
        if let fallback { value = string(name, default: fallback) } else { value = try required(name) }
        let schemes = ["tcp://", "ipc://", "inproc://"]
        guard schemes.contains(where: value.hasPrefix), value.count > 6 else {
            throw ConfigError(variable: name, reason: "must be a ZeroMQ endpoint like tcp://host:port, got '\(value)'")
        }
        return value
    }

    /// A list of endpoints separated by commas.
    public func endpoints(_ name: String) throws(ConfigError) -> [String] {
        let list = try required(name).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for item in list where !(item.hasPrefix("tcp://") || item.hasPrefix("ipc://") || item.hasPrefix("inproc://")) {
            throw ConfigError(variable: name, reason: "must list ZeroMQ endpoints like tcp://host:port, got '\(item)'")
        }
        return list
    }

    public func mongoURI() throws(ConfigError) -> String {
        let uri = try required("WATERLINE_MONGO_URI")
        guard uri.hasPrefix("mongodb://") || uri.hasPrefix("mongodb+srv://") else {
            throw ConfigError(variable: "WATERLINE_MONGO_URI", reason: "must start with mongodb://, got '\(uri)'")
        }
        return uri
    }

    public var mongoDatabase: String { string("WATERLINE_MONGO_DATABASE", default: "waterline") }

    public var instanceID: String {
        string("WATERLINE_INSTANCE_ID", default: "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
    }

    /// At most how often a sensor's newest hour is rolled up (README "Rollups"): a
    /// utility with many sensors raises it to spend fewer updates.
    public func rollupInterval() throws(ConfigError) -> Duration {
        .milliseconds(try int("WATERLINE_ROLLUP_INTERVAL_MS", default: 10_000, range: 100...3_600_000))
    }

    public func partitions() throws(ConfigError) -> Int {
        try int("WATERLINE_PARTITIONS", default: 64, range: 1...4096)
    }

    /// How long a replica's partition leases last without renewal: the time a dead
    /// replica's partitions wait before another takes them over. Renewed every third.
    public func leaseTTLMs() throws(ConfigError) -> Int64 {
        Int64(try int("WATERLINE_LEASE_TTL_MS", default: 10_000, range: 1_000...600_000))
    }
}

/// The address a local client uses to reach a bound endpoint: `tcp://0.0.0.0:7001` and
/// `tcp://*:7001` become `tcp://127.0.0.1:7001`.
public func localEndpoint(forBind bind: String) -> String {
    bind.replacingOccurrences(of: "://0.0.0.0:", with: "://127.0.0.1:")
        .replacingOccurrences(of: "://*:", with: "://127.0.0.1:")
}
