import Testing
import WaterlineBus

@Suite struct PartitionAssignmentTests {
    @Test func everyPartitionHasOneOwnerAndNoMemberMoreThanItsShare() {
        for members in 1...7 {
            let names = (1...members).map { "replica-\($0)" }
            let owners = PartitionAssignment.owners(partitions: 64, members: names)
            #expect(owners.count == 64)
            #expect(Set(owners).isSubset(of: Set(names)))
            let cap = (64 + members - 1) / members
            for name in names { #expect(owners.filter { $0 == name }.count <= cap, "\(name) over its share with \(members) members") }
        }
    }

    @Test func membersAgreeWhateverOrderTheySeeEachOtherIn() {
        let a = PartitionAssignment.owners(partitions: 64, members: ["b", "a", "c"])
        let b = PartitionAssignment.owners(partitions: 64, members: ["c", "b", "a", "a"])
        #expect(a == b)
    }

    @Test func aMemberJoiningTakesAboutItsShareAndTheRestStay() {
        let before = PartitionAssignment.owners(partitions: 64, members: ["p1", "p2"])
        let after = PartitionAssignment.owners(partitions: 64, members: ["p1", "p2", "p3"])
        let moved = zip(before, after).filter { $0 != $1 }
        // Ideal: 64/3 ≈ 21 move to p3, nothing moves between p1 and p2.
        #expect(moved.allSatisfy { $0.1 == "p3" } || moved.count <= 26, "moved \(moved.count)")
        #expect(moved.count >= 21 && moved.count <= 26, "moved \(moved.count)")
    }

    @Test func aMemberLeavingHandsOnlyItsOwnPartitionsOn() {
        let before = PartitionAssignment.owners(partitions: 64, members: ["p1", "p2", "p3"])
        let after = PartitionAssignment.owners(partitions: 64, members: ["p1", "p3"])
        for (old, new) in zip(before, after) where old != "p2" {
            #expect(old == new || new != "p2")
        }
        let moved = zip(before, after).filter { $0 != $1 }.count
        #expect(moved <= before.filter { $0 == "p2" }.count + 4, "moved \(moved)")
    }

    @Test func noMembersMeansNoOwners() {
        #expect(PartitionAssignment.owners(partitions: 8, members: []).isEmpty)
    }
}
