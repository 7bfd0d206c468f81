import Forecasting
import Foundation
import Mongo
import WaterlineKit

/// The model registry in MongoDB (`models`, keyed by version): every trained model with
/// the data window it learnt from, its settings, its held-out metrics next to what it
/// was compared with, the artifact, and its status. At most one model is in
/// production; promoting one archives the one before, and a rollback brings back the
/// model that was in production before the current one.
public struct ModelRegistry: Sendable {
    public enum Status: String, Sendable, Codable {
        case candidate, production, archived
    }

    /// A registry entry without its artifact.
    public struct Entry: Sendable, Equatable {
        public var version: String
        public var kind = "deepar"
        public var status: Status
        public var createdMs: Int64
        public var windowFromMs: Int64
        public var windowToMs: Int64
        public var config: DeepARConfig
        public var metrics: HoldoutEvaluation.Scores
        /// What the model was compared with ("production <version>" or "baseline") and
        /// its scaled CRPS on the same window.
        public var comparedWith: String
        public var comparedScaledCRPS: Double
        /// Why it has its status (the promotion gate's reason, a rollback, ...).
        public var reason: String
        /// When it last entered production (nil: never).
        public var promotedMs: Int64?

        public init(
            version: String, status: Status, createdMs: Int64, windowFromMs: Int64, windowToMs: Int64, config: DeepARConfig,
            metrics: HoldoutEvaluation.Scores, comparedWith: String, comparedScaledCRPS: Double, reason: String
        ) {
            self.version = version
            self.status = status
            self.createdMs = createdMs
            self.windowFromMs = windowFromMs
            self.windowToMs = windowToMs
            self.config = config
            self.metrics = metrics
            self.comparedWith = comparedWith
            self.comparedScaledCRPS = comparedScaledCRPS
            self.reason = reason
        }
    }

    let collection: MongoCollection

    public init(collection: MongoCollection) {
        self.collection = collection
    }

    /// Stores a new model with its artifact.
    public func register(_ entry: Entry, model: DeepARModel) async throws {
        var document = try entry.document()
        document["artifact"] = .binary(Array(try JSONEncoder().encode(model)))
        let result = try await collection.insertMany([document], ordered: true).checked("register model")
        if !result.duplicateIndices.isEmpty { throw RegistryError("model version \(entry.version) exists already") }
    }

    /// Entries, newest first, without artifacts.
    public func list(limit: Int = 50) async throws -> [Entry] {
        try await collection.find([:], sort: ["created_ms": -1], limit: limit, projection: ["artifact": 0]).map(Entry.init(document:))
    }

    public func entry(_ version: String) async throws -> Entry? {
        try await collection.findOne(["_id": .string(version)]).map(Entry.init(document:))
    }

    /// The version in production (without loading its artifact), if there is one.
    public func productionVersion() async throws -> String? {
        try await collection.find(
            ["status": .string(Status.production.rawValue)], sort: ["promoted_ms": -1], limit: 1, projection: ["_id": 1]
        ).first?["_id"]?.stringValue
    }

    /// The model in production with its artifact, if there is one.
    public func production() async throws -> (entry: Entry, model: DeepARModel)? {
        guard let document = try await collection.find(["status": .string(Status.production.rawValue)], sort: ["promoted_ms": -1], limit: 1).first
        else { return nil }
        guard let bytes = document["artifact"]?.binaryValue else {
            throw RegistryError("production model \(document["_id"]?.stringValue ?? "?") has no artifact")
        }
        return (try Entry(document: document), try JSONDecoder().decode(DeepARModel.self, from: Data(bytes)))
    }

    /// Puts `version` into production and archives the model that was there.
    @discardableResult
    public func promote(_ version: String, reason: String, nowMs: Int64) async throws -> Entry {
        guard let target = try await entry(version) else { throw RegistryError("no model \(version)") }
        // The new one first: if this stops half-way there are two in production for a
        // moment, and the newest promotion wins, rather than none.
        _ = try await collection.findOneAndUpdate(
            filter: ["_id": .string(version)],
            update: ["$set": ["status": .string(Status.production.rawValue), "promoted_ms": .int64(nowMs), "reason": .string(reason)]])
        let others = try await collection.find(["status": .string(Status.production.rawValue)], projection: ["_id": 1])
        for other in others where other["_id"]?.stringValue != version {
            _ = try await collection.findOneAndUpdate(
                filter: ["_id": other["_id"] ?? .null],
                update: ["$set": ["status": .string(Status.archived.rawValue), "reason": .string("replaced by \(version)")]])
        }
        var promoted = target
        promoted.status = .production
        promoted.promotedMs = nowMs
        promoted.reason = reason
        return promoted
    }

    /// Archives a candidate the gate refused.
    public func archive(_ version: String, reason: String) async throws {
        _ = try await collection.findOneAndUpdate(
            filter: ["_id": .string(version)],
            update: ["$set": ["status": .string(Status.archived.rawValue), "reason": .string(reason)]])
    }

    /// Brings back the model that was in production before the current one.
    @discardableResult
    public func rollback(nowMs: Int64) async throws -> Entry {
        guard let current = try await production()?.entry else { throw RegistryError("no model is in production") }
        let before = try await collection.find(
            ["status": .string(Status.archived.rawValue), "promoted_ms": ["$lt": .int64(current.promotedMs ?? nowMs)]],
            sort: ["promoted_ms": -1], limit: 1, projection: ["artifact": 0]
        ).first.map(Entry.init(document:))
        guard let before else { throw RegistryError("no earlier production model to roll back to") }
        let restored = try await promote(before.version, reason: "rolled back from \(current.version)", nowMs: nowMs)
        _ = try await collection.findOneAndUpdate(
            filter: ["_id": .string(current.version)],
            update: ["$set": ["reason": .string("rolled back to \(before.version)")]])
        return restored
    }
}

public struct RegistryError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension ModelRegistry.Entry {
    func document() throws -> Document {
        var d: Document = [
            "_id": .string(version), "kind": .string(kind), "status": .string(status.rawValue), "created_ms": .int64(createdMs),
            "window_from_ms": .int64(windowFromMs), "window_to_ms": .int64(windowToMs),
            "config": .string(String(decoding: try JSONEncoder().encode(config), as: UTF8.self)),
            "metrics": .document(metrics.document),
            "compared_with": .string(comparedWith), "compared_scaled_crps": .double(comparedScaledCRPS), "reason": .string(reason),
        ]
        d["promoted_ms"] = promotedMs.map { .int64($0) } ?? .null
        return d
    }

    init(document d: Document) throws {
        let scores = HoldoutEvaluation.Scores(document: d["metrics"]?.documentValue ?? [:])
        let config = try JSONDecoder().decode(DeepARConfig.self, from: Data((d["config"]?.stringValue ?? "{}").utf8))
        self.init(
            version: d["_id"]?.stringValue ?? "", status: ModelRegistry.Status(rawValue: d["status"]?.stringValue ?? "") ?? .archived,
            createdMs: d["created_ms"]?.int64Value ?? 0, windowFromMs: d["window_from_ms"]?.int64Value ?? 0,
            windowToMs: d["window_to_ms"]?.int64Value ?? 0, config: config, metrics: scores,
            comparedWith: d["compared_with"]?.stringValue ?? "", comparedScaledCRPS: d["compared_scaled_crps"]?.doubleValue ?? .nan,
            reason: d["reason"]?.stringValue ?? "")
        kind = d["kind"]?.stringValue ?? "deepar"
        promotedMs = d["promoted_ms"]?.int64Value
    }
}

extension HoldoutEvaluation.Scores {
    /// Stored with registry entries and training runs alike.
    var document: Document {
        [
            "scaled_crps": .double(scaledCRPS), "mase": .double(mase), "coverage90": .double(coverage90),
            "points": .int64(Int64(points)),
            "sensors": .document(Document(sensors.map { id, s in
                (id, BSON.document([
                    "crps": .double(s.crps), "mase": .double(s.mase), "coverage90": .double(s.coverage90),
                    "points": .int64(Int64(s.points)),
                ]))
            })),
        ]
    }

    init(document m: Document) {
        self.init()
        scaledCRPS = m["scaled_crps"]?.doubleValue ?? .nan
        mase = m["mase"]?.doubleValue ?? .nan
        coverage90 = m["coverage90"]?.doubleValue ?? .nan
        points = Int(m["points"]?.int64Value ?? 0)
        for (id, value) in m["sensors"]?.documentValue?.fields ?? [] {
            guard let s = value.documentValue else { continue }
            sensors[id] = HoldoutEvaluation.SensorScores(
                points: Int(s["points"]?.int64Value ?? 0), crps: s["crps"]?.doubleValue ?? .nan,
                mase: s["mase"]?.doubleValue ?? .nan, coverage90: s["coverage90"]?.doubleValue ?? .nan)
        }
    }
}
