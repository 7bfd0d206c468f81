import Detection
import Foundation
import Mongo
import WaterlineBus
import WaterlineKit

/// Each zone's detector state, saved in `insight_checkpoints` (one document per zone,
/// replaced at every checkpoint) with the data time it is judged up to.
struct ZoneCheckpoints: Sendable {
    let collection: MongoCollection

    struct Checkpoint: Sendable {
        var state: EventDetector.ZoneState
        /// Every score of the zone at or before this time is in the state; none after.
        var frontierMs: Int64
    }

    /// The format of the saved state; a checkpoint of another format is not used (the
    /// zone is rebuilt from its scores instead).
    static let format: Int64 = 1

    func save(_ state: EventDetector.ZoneState, frontierMs: Int64) async throws {
        let document: Document = [
            "_id": .string(state.zone), "frontier_ms": .int64(frontierMs), "format": .int64(Self.format),
            "state": .binary(Array(try state.encoded())), "saved_ms": .int64(nowMs()),
        ]
        _ = try await collection.bulkWrite([.replaceOne(filter: ["_id": .string(state.zone)], replacement: document, upsert: true)])
            .checked("save checkpoint")
    }

    func load(zone: String) async throws -> Checkpoint? {
        guard let d = try await collection.findOne(["_id": .string(zone)]), d["format"]?.int64Value == Self.format,
            case .binary(let bytes) = d["state"], let frontier = d["frontier_ms"]?.int64Value
        else { return nil }
        return Checkpoint(state: try EventDetector.ZoneState(encoded: Data(bytes)), frontierMs: frontier)
    }
}
