import Detection
import Foundation
import Mongo
import WaterlineBus
import WaterlineKit

/// Each balance group's detector state — the states of its zones, saved together so that
/// they are judged up to one time — in `insight_checkpoints` (one document per group,
/// replaced at every checkpoint) with the data time it is judged up to.
struct ZoneCheckpoints: Sendable {
    let collection: MongoCollection

    struct Checkpoint: Sendable {
        var states: [EventDetector.ZoneState]
        /// Every score of the group's zones at or before this time is in the states; none after.
        var frontierMs: Int64
    }

    /// The format of the saved state; a checkpoint of another format is not used (the
    /// zones are rebuilt from their scores instead). 2: a group's zones in one document;
    /// 3: the balance's step detector in each zone's state.
    static let format: Int64 = 3

    func save(group: String, states: [EventDetector.ZoneState], frontierMs: Int64) async throws {
        let encoded = try states.map { BSON.binary(Array(try $0.encoded())) }
        let document: Document = [
            "_id": .string(group), "frontier_ms": .int64(frontierMs), "format": .int64(Self.format),
            "zones": .array(states.map { .string($0.zone) }), "states": .array(encoded), "saved_ms": .int64(nowMs()),
        ]
        _ = try await collection.bulkWrite([.replaceOne(filter: ["_id": .string(group)], replacement: document, upsert: true)])
            .checked("save checkpoint")
    }

    func load(group: String) async throws -> Checkpoint? {
        guard let d = try await collection.findOne(["_id": .string(group)]), d["format"]?.int64Value == Self.format,
            case .array(let saved) = d["states"], let frontier = d["frontier_ms"]?.int64Value
        else { return nil }
        var states: [EventDetector.ZoneState] = []
        for entry in saved {
            guard case .binary(let bytes) = entry else { return nil }
            states.append(try EventDetector.ZoneState(encoded: Data(bytes)))
        }
        return Checkpoint(states: states, frontierMs: frontier)
    }
}
