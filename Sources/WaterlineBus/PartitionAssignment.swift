/// Which live member should own each partition: rendezvous (highest-random-weight)
/// hashing with a load bound. Every member computes the same answer from the same member
/// list, so they agree without talking; a member joining or leaving moves close to the
/// fewest partitions (about P/n), and no member gets more than ⌈P/n⌉.
public enum PartitionAssignment {
    /// The desired owner of each partition `0..<partitions`, indexed by partition.
    public static func owners(partitions: Int, members: [String]) -> [String] {
        let sorted = Array(Set(members)).sorted()
        guard !sorted.isEmpty, partitions > 0 else { return [] }
        let cap = (partitions + sorted.count - 1) / sorted.count
        var load = [Int](repeating: 0, count: sorted.count)
        var result: [String] = []
        result.reserveCapacity(partitions)
        for partition in 0..<partitions {
            let ranked = sorted.indices.sorted {
                let (a, b) = (weight(sorted[$0], partition), weight(sorted[$1], partition))
                return a != b ? a > b : $0 < $1
            }
            let chosen = ranked.first { load[$0] < cap }!
            load[chosen] += 1
            result.append(sorted[chosen])
        }
        return result
    }

    /// A well-mixed 64-bit weight of (member, partition): FNV-1a, then the SplitMix64
    /// finaliser. Stable across processes (unlike Swift's seeded `Hasher`).
    static func weight(_ member: String, _ partition: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in member.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ UInt64(truncatingIfNeeded: partition)) &* 0x100_0000_01b3
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        return hash ^ (hash >> 31)
    }
}
