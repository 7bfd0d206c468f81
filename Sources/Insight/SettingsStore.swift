import Foundation
import Mongo
import WaterlineBus
import WaterlineKit
import WaterlineProto

/// Insight's run-time settings (the tariff), kept in `settings` under `_id: "insight"`.
/// Until an operator sets them, `WATERLINE_TARIFF_PER_M3` gives the tariff.
struct SettingsStore: Sendable {
    let collection: MongoCollection
    static let id = "insight"

    func load(defaultTariff: Double) async throws -> Settings {
        guard let document = try await databaseCall({ try await collection.findOne(["_id": .string(Self.id)]) }) else {
            var settings = Settings()
            settings.tariffPerM3 = defaultTariff
            return settings
        }
        return try Settings(storedDocument: document)
    }

    /// Checks and stores new settings; returns them as stored.
    func update(_ request: UpdateSettingsRequest, nowMs: Int64) async throws -> Settings {
        guard request.tariffPerM3.isFinite, (0...1_000_000).contains(request.tariffPerM3) else {
            throw RPCError.invalidArgument("tariff_per_m3 must be a price from 0 to 1,000,000 per cubic metre", field: "tariff_per_m3")
        }
        guard request.currency.isEmpty || (request.currency.count == 3 && request.currency.allSatisfy { $0.isASCII && $0.isUppercase }) else {
            throw RPCError.invalidArgument("currency must be an ISO 4217 code such as EUR, or empty", field: "currency")
        }
        guard !request.actor.isEmpty else { throw RPCError.invalidArgument("actor is required: who does this", field: "actor") }
        var settings = Settings()
        settings.tariffPerM3 = request.tariffPerM3
        settings.currency = request.currency
        settings.updatedBy = request.actor
        settings.updatedMs = nowMs
        var document = try settings.storedDocument(id: Self.id)
        document["updated_ms"] = .int64(settings.updatedMs)
        let replacement = document
        _ = try await databaseCall {
            try await collection.bulkWrite([.replaceOne(filter: ["_id": .string(Self.id)], replacement: replacement, upsert: true)])
        }
        return settings
    }
}
