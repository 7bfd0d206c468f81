import Testing
import WaterlineBus

@Suite struct SequenceGapDetectorTests {
    @Test func gapsRestartsAndHeartbeatsPerPublisherAndKey() {
        var d = SequenceGapDetector()
        #expect(d.observe(publisher: "a", key: "t", sequence: 5) == nil)  // a late subscriber: baseline
        #expect(d.observe(publisher: "a", key: "t", sequence: 6) == nil)
        #expect(d.observe(publisher: "a", key: "t", sequence: 9) == SequenceGap(publisher: "a", key: "t", expected: 7, received: 9))
        #expect(d.observe(publisher: "a", key: "t", sequence: 1) == nil)  // went back: restarted
        #expect(d.observe(publisher: "b", key: "t", sequence: 40) == nil)  // another publisher, its own count
        // A heartbeat at the latest sequence is quiet; beyond it, the updates after the
        // last one seen were lost.
        #expect(d.observeHeartbeat(publisher: "a", key: "t", latest: 1) == nil)
        #expect(d.observeHeartbeat(publisher: "a", key: "t", latest: 4) == SequenceGap(publisher: "a", key: "t", expected: 2, received: 5))
        #expect(d.observe(publisher: "a", key: "t", sequence: 5) == nil)
        #expect(d.observeHeartbeat(publisher: "c", key: "t", latest: 9) == nil)  // first: baseline
    }

    @Test func aNewPublisherOnAKeyOthersUsedIsAHandover() {
        var d = SequenceGapDetector()
        #expect(!d.isHandover(publisher: "p1", key: "7"))
        _ = d.observe(publisher: "p1", key: "7", sequence: 1)
        #expect(!d.isHandover(publisher: "p1", key: "7"))
        #expect(d.isHandover(publisher: "p2", key: "7"))
        d.reset(key: "7")
        #expect(!d.isHandover(publisher: "p2", key: "7"))
    }
}
