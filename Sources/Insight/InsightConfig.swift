import WaterlineKit

/// The insight service's settings (services/insight/README.md).
public struct InsightConfig: Sendable {
    public var mongoURI: String
    public var database: String
    public var instanceID: String
    public var scoreStream: [String]
    public var rpcBind: String
    public var insightPubBind: String
    public var minPoints: Int
    public var quietMs: Int64
    /// Price of a cubic metre of water, for the revenue an event loses (0: not set).
    public var tariffPerM3: Double
    /// An EPANET `.inp` file of the network, to locate leaks on its junctions and pipes
    /// (nil: candidates are the sensors that moved most).
    public var networkFile: String?

    public static let defaultRPCBind = "tcp://0.0.0.0:7031"

    public init(_ env: Environment) throws(ConfigError) {
        mongoURI = try env.mongoURI()
        database = env.mongoDatabase
        instanceID = env.instanceID
        scoreStream = try env.endpoints("WATERLINE_SCORE_STREAM")
        rpcBind = try env.endpoint("WATERLINE_INSIGHT_RPC_BIND", default: Self.defaultRPCBind)
        insightPubBind = try env.endpoint("WATERLINE_INSIGHT_PUB_BIND", default: "tcp://0.0.0.0:7032")
        minPoints = try env.int("WATERLINE_EVENT_MIN_POINTS", default: 5, range: 1...1000)
        quietMs = Int64(try env.int("WATERLINE_EVENT_QUIET_MS", default: 3_600_000, range: 1000...Int.max))
        tariffPerM3 = try env.double("WATERLINE_TARIFF_PER_M3", default: 0, range: 0...1_000_000)
        let file = env.string("WATERLINE_NETWORK_FILE", default: "")
        networkFile = file.isEmpty ? nil : file
    }
}
