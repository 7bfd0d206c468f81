import Detection
import Mongo
import WaterlineBus
import WaterlineProto

/// The sensor registry: MongoDB's `sensors` collection, cached in memory. A miss asks
/// MongoDB once more, so sensors registered through another replica are found.
public final class SensorDirectory: Sendable {
    private let collection: MongoCollection
    private let cache = Locked<[String: Sensor]>([:])
    /// The zones' balance groups, derived from the cache when first asked after a change
    /// (insight asks on every batch; the registry changes rarely).
    private let groups = Locked<BalanceGroups?>(nil)

    public init(collection: MongoCollection) {
        self.collection = collection
    }

    public func load() async throws(MongoError) {
        let sensors = try await collection.find([:]).map(Sensor.init(document:))
        store(sensors)
    }

    /// Puts sensors in the cache; the balance groups are derived again when next asked.
    private func store(_ sensors: [Sensor]) {
        cache.withLock { map in
            for s in sensors { map[s.sensorID] = s }
            groups.withLock { $0 = nil }
        }
    }

    /// The registered zones' balance groups (zones joined by a meter between them).
    public var balanceGroups: BalanceGroups {
        cache.withLock { map in
            groups.withLock { cached in
                if let cached { return cached }
                let fresh = BalanceGroups(map.values)
                cached = fresh
                return fresh
            }
        }
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
        store(sensors)
    }

    public var all: [Sensor] { cache.withLock { Array($0.values) } }

    /// The sensors of some partitions (those a replica holds or replays).
    public func all(in partitions: Set<UInt32>, of partitioner: Partitioner) -> [Sensor] {
        all.filter { partitions.contains(partitioner.partition(of: $0.sensorID)) }
    }
    public var count: Int { cache.withLock { $0.count } }
}
