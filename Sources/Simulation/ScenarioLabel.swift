/// One ground-truth entry of a scenario's `labels.json`.
///
/// The labelled interval is half-open: it covers timestamps `t` with `startMs <= t < endMs`.
/// Fields that don't apply to a label's type are `nil` and omitted from the JSON.
public struct ScenarioLabel: Codable, Sendable, Equatable {
    /// `leak`, `burst`, `sensor_fault`, `data_gap` or `demand_anomaly`.
    public var type: String
    /// First affected timestamp, milliseconds since the epoch (UTC).
    public var startMs: Int64
    /// End of the affected interval (exclusive), milliseconds since the epoch (UTC).
    public var endMs: Int64
    /// Id of the affected zone.
    public var zone: String?
    /// Network node where the leak or burst is.
    public var nodeId: String?
    /// Network pipe where the leak or burst is.
    public var pipeId: String?
    /// The faulty or silent sensor.
    public var sensorId: String?
    /// Leak flow in m³/h (for a growing leak: its final flow).
    public var leakFlowM3h: Double?
    /// Water the leak lost over the labelled window, when the source knows it.
    public var leakVolumeM3: Double?

    /// Creates a label.
    public init(
        type: String, startMs: Int64, endMs: Int64, zone: String? = nil, nodeId: String? = nil,
        pipeId: String? = nil, sensorId: String? = nil, leakFlowM3h: Double? = nil
    ) {
        self.type = type
        self.startMs = startMs
        self.endMs = endMs
        self.zone = zone
        self.nodeId = nodeId
        self.pipeId = pipeId
        self.sensorId = sensorId
        self.leakFlowM3h = leakFlowM3h
    }

    /// Whether `tsMs` lies inside the labelled interval.
    public func contains(_ tsMs: Int64) -> Bool {
        tsMs >= startMs && tsMs < endMs
    }

    enum CodingKeys: String, CodingKey {
        case type, zone
        case startMs = "start_ms"
        case endMs = "end_ms"
        case nodeId = "node_id"
        case pipeId = "pipe_id"
        case sensorId = "sensor_id"
        case leakFlowM3h = "leak_flow_m3h"
        case leakVolumeM3 = "leak_volume_m3"
    }
}
