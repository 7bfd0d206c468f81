/// Maps a sensor to its partition: FNV-1a 32-bit hash of the id, modulo the count.
/// Stable across processes and languages (unlike Swift's seeded `Hasher`).
public struct Partitioner: Sendable, Equatable {
    public let count: UInt32

    public init(count: UInt32) {
        precondition(count > 0, "partition count must be positive")
        self.count = count
    }

    public func partition(of sensorID: String) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in sensorID.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return hash % count
    }
}
