import Mongo
import WaterlineBus
import WaterlineProto

/// The sensor registry: MongoDB's `sensors` collection, cached in memory. A miss asks
/// MongoDB once more, so sensors registered through another replica are found.
public final class SensorDirectory: Sendable {
    private let collection: MongoCollection
    private let cache = Locked<[String: Sensor]>([:])

    public init(collection: MongoCollection) {
        self.collection = collection
    }

    public func load() async throws(MongoError) {
        let sensors = try await collection.find([:]).map(Sensor.init(document:))
        cache.withLock { map in for s in sensors { map[s.sensorID] = s } }
    }

    /// The sensors among `ids` that are registered, refreshing the cache once on a miss.
    public func lookup(_ ids: Set<String>) async -> [String: Sensor] {
        let missing = cache.withLock { map in ids.contains { map[$0] == nil } }
        if missing { try? await load() }
        return cache.withLock { map in map.filter { ids.contains($0.key) } }
    }

    public func sensor(_ id: String) async -> Sensor? {
        await lookup([id])[id]
    }

    /// Stores sensors (insert or replace) and caches them.
    public func register(_ sensors: [Sensor]) async throws(MongoError) {
        let models = sensors.map { s in
            MongoCollection.WriteModel.replaceOne(filter: ["_id": .string(s.sensorID)], replacement: s.document, upsert: true)
        }
        _ = try await collection.bulkWrite(models, ordered: false)
        cache.withLock { map in for s in sensors { map[s.sensorID] = s } }
    }

    public var all: [Sensor] { cache.withLock { Array($0.values) } }

    /// The sensors of some partitions (those a replica holds or replays).
    public func all(in partitions: Set<UInt32>, of partitioner: Partitioner) -> [Sensor] {
        all.filter { partitions.contains(partitioner.partition(of: $0.sensorID)) }
    }
    public var count: Int { cache.withLock { $0.count } }
}
