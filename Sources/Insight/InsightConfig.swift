import Foundation
import Detection
import Hydraulics
import WaterlineKit

/// The insight service's settings (services/insight/README.md).
public struct InsightConfig: Sendable {
    public var mongoURI: String
    public var database: String
    public var instanceID: String
    /// Zone partitions: each is leased to one replica, which judges its zones.
    public var partitions: Int
    public var leaseTTLMs: Int64
    /// Data time between a zone's saved detector states.
    public var checkpointEveryMs: Int64
    /// Wall time between a zone's saved states, at least.
    public var checkpointMinIntervalMs: Int64
    /// Without a saved state, a zone is rebuilt from this many days of its scores.
    public var rebuildDays: Int
    public var scoreStream: [String]
    public var rpcBind: String
    public var insightPubBind: String
    /// Updates queued for a subscriber that does not keep up; beyond, the stream drops for
    /// it (the subscriber sees the sequence gap and catches up through the REST API).
    public var insightPubHighWaterMark: Int
    /// Score batches queued in the subscription while insight is not reading (a stall);
    /// beyond, ZeroMQ drops them and insight replays the gap from `scores`.
    public var scoreHighWaterMark: Int
    /// How often the latest sequence of each topic is sent as a heartbeat.
    public var heartbeatSeconds: Int
    public var minPoints: Int
    public var quietMs: Int64
    /// Threshold of the slow-leak CUSUM in standard deviations (0: off).
    public var cusumThreshold: Double
    /// Whether the forecast rules call slow leaks in a metered zone while its balance
    /// detector learns (`EventDetector.Config.leakRulesWhileLearning`).
    public var leakRulesWhileLearning: Bool
    /// Price of a cubic metre of water, for the revenue an event loses (0: not set).
    public var tariffPerM3: Double
    /// The network model read from `WATERLINE_NETWORK_FILE` (an EPANET `.inp` file), to
    /// locate leaks on its junctions and pipes (nil: candidates are the sensors that moved
    /// most), and the file's name.
    public var networkModel: (network: WaterNetwork, name: String)?
    /// What insight logs at start about the network file: what it asks for that the solver
    /// does not model, or why it cannot be solved (then nothing is located on it).
    public var networkWarnings: [String] = []
    /// How near an open leak or burst (its candidates or its zone's sensors) a public
    /// report with a position must be to count for it.
    public var reportMatchRadiusMetres: Double
    /// How far (data time) a zone's judgement may trail its newest score while it waits
    /// for the zone's slowest sensor...
    public var zoneLatenessMs: Int64
    /// ... and how long (wall time) a sensor further behind must have sent nothing before
    /// it counts as quiet and is no longer waited for.
    public var zoneQuietAfterMs: Int64
    /// How often settings stored by another replica are taken up.
    public var settingsRefreshSeconds: Int

    public static let defaultRPCBind = "tcp://0.0.0.0:7031"

    public init(_ env: Environment) throws(ConfigError) {
        mongoURI = try env.mongoURI()
        database = env.mongoDatabase
        instanceID = env.instanceID
        partitions = try env.int("WATERLINE_INSIGHT_PARTITIONS", default: 16, range: 1...4096)
        leaseTTLMs = try env.leaseTTLMs()
        checkpointEveryMs = Int64(try env.int("WATERLINE_INSIGHT_CHECKPOINT_MS", default: 3_600_000, range: 60_000...604_800_000))
        checkpointMinIntervalMs = Int64(try env.int("WATERLINE_INSIGHT_CHECKPOINT_MIN_INTERVAL_MS", default: 10_000, range: 0...86_400_000))
        rebuildDays = try env.int("WATERLINE_INSIGHT_REBUILD_DAYS", default: 28, range: 0...3650)
        scoreStream = try env.endpoints("WATERLINE_SCORE_STREAM")
        rpcBind = try env.endpoint("WATERLINE_INSIGHT_RPC_BIND", default: Self.defaultRPCBind)
        insightPubBind = try env.endpoint("WATERLINE_INSIGHT_PUB_BIND", default: "tcp://0.0.0.0:7032")
        insightPubHighWaterMark = try env.int("WATERLINE_INSIGHT_PUB_HWM", default: 100_000, range: 1...10_000_000)
        scoreHighWaterMark = try env.int("WATERLINE_INSIGHT_SCORE_HWM", default: 100_000, range: 1...10_000_000)
        heartbeatSeconds = try env.int("WATERLINE_INSIGHT_HEARTBEAT_S", default: 5, range: 1...3600)
        minPoints = try env.int("WATERLINE_EVENT_MIN_POINTS", default: 5, range: 1...1000)
        quietMs = Int64(try env.int("WATERLINE_EVENT_QUIET_MS", default: 3_600_000, range: 1000...Int.max))
        cusumThreshold = try env.double("WATERLINE_EVENT_CUSUM_THRESHOLD", default: EventDetector.Config().cusumThreshold, range: 0...10_000)
        leakRulesWhileLearning = try env.int("WATERLINE_LEAK_RULES_WHILE_LEARNING", default: 0, range: 0...1) == 1
        tariffPerM3 = try env.double("WATERLINE_TARIFF_PER_M3", default: 0, range: 0...1_000_000)
        zoneLatenessMs = Int64(try env.int("WATERLINE_INSIGHT_ZONE_LATENESS_MS", default: 900_000, range: 0...86_400_000))
        zoneQuietAfterMs = Int64(try env.int("WATERLINE_INSIGHT_QUIET_AFTER_MS", default: 120_000, range: 0...86_400_000))
        settingsRefreshSeconds = try env.int("WATERLINE_SETTINGS_REFRESH_S", default: 30, range: 1...86_400)
        reportMatchRadiusMetres = try env.double("WATERLINE_REPORT_MATCH_RADIUS_M", default: 1000, range: 1...100_000)
        let file = env.string("WATERLINE_NETWORK_FILE", default: "")
        if !file.isEmpty {
            let (network, name, warnings) = try Self.readNetwork(file)
            networkModel = (network, name)
            networkWarnings = warnings
        }
    }

    /// Reads the network and solves it once. A file that cannot be read or parsed stops
    /// start-up with the reason (the operator named it; running without it would hide the
    /// mistake). One that parses but cannot be solved — something the solver does not
    /// model, a state EPANET would not balance either — never stops insight: it runs, says
    /// why in the warnings it logs, and locates events by the sensors that moved most.
    static func readNetwork(_ path: String) throws(ConfigError) -> (network: WaterNetwork, name: String, warnings: [String]) {
        let variable = "WATERLINE_NETWORK_FILE"
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(variable: variable, reason: "cannot be read (\(path)): no such readable UTF-8 file")
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let network: WaterNetwork
        do { network = try InpReader.read(text) } catch {
            throw ConfigError(variable: variable, reason: "is not an EPANET network file (\(path)): \(error)")
        }
        var warnings = network.warnings.map { "\(name): \($0)" }
        do {
            _ = try SteadyStateSolver(network: network).solve()
        } catch {
            warnings.append("\(name) cannot be solved (\(error)); events are not located on it")
        }
        return (network, name, warnings)
    }
}
