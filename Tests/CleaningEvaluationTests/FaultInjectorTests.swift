import Cleaning
import CleaningEvaluation
import Testing

@Suite struct FaultInjectorTests {
    let values = noisySine()

    @Test func theSameSeedInjectsTheSameFaults() {
        let a = injector.inject(values, seed: 42)
        let b = injector.inject(values, seed: 42)
        let c = injector.inject(values, seed: 43)
        #expect(a.readings == b.readings)
        #expect(a.labels == b.labels)
        #expect(a.faults == b.faults)
        #expect(a.faults != c.faults)
    }

    @Test func everyKindIsInjected() {
        let s = injector.inject(values, seed: 42)
        for kind in FaultKind.allCases {
            #expect(!s.faults(of: kind).isEmpty, "no \(kind) injected")
        }
        #expect(s.faults(of: .spike).count == 36)  // 6 per 1000 slots
    }

    @Test func faultsDoNotOverlapAndKeepTheirMargin() {
        let s = injector.inject(values, seed: 42)
        let margin = FaultPlan().margin
        for (i, a) in s.faults.enumerated() {
            #expect(a.start >= margin && a.slots.upperBound + margin <= values.count)
            for b in s.faults[(i + 1)...] {
                let apart = a.slots.upperBound + margin <= b.start || b.slots.upperBound + margin <= a.start
                #expect(apart, "\(a) and \(b) are closer than \(margin) slots")
            }
        }
    }

    @Test func theLabelsSayWhatWasDone() {
        let s = injector.inject(values, seed: 42, unitFactor: 100)
        var readings: [Int: [Double]] = [:]
        for r in s.readings { readings[Int(r.tsMs / second), default: []].append(r.value) }
        let noise = SeriesProfile(values).noiseScale

        for (i, label) in s.labels.enumerated() {
            switch label {
            case nil, .outOfOrder?:
                #expect(readings[i] == [values[i]])
            case .spike?:
                #expect(readings[i]!.count == 1 && abs(readings[i]![0] - values[i]) >= 8 * noise)
            case .duplicate?:
                #expect(readings[i] == [values[i], values[i]])
            case .shortGap?, .longGap?:
                #expect(readings[i] == nil)
            case .unitSwitch?:
                #expect(readings[i] == [values[i] * 100])
            case .stuck?:
                #expect(readings[i]!.count == 1)
            }
        }
        for f in s.faults(of: .stuck) {
            #expect((60...240).contains(f.length))
            #expect(f.slots.allSatisfy { readings[$0] == [values[f.start]] })
        }
        for f in s.faults(of: .shortGap) { #expect((1...5).contains(f.length)) }
        for f in s.faults(of: .longGap) { #expect((20...100).contains(f.length)) }
        // The labels cover exactly the faults' slots.
        let labelled = s.labels.enumerated().filter { $0.element != nil }.map(\.offset)
        #expect(labelled == s.faults.flatMap { Array($0.slots) }.sorted())
    }

    @Test func burstsAreShuffledButNeverLate() {
        let s = injector.inject(values, seed: 42)
        let order = s.readings.map(\.tsMs)
        #expect(order != order.sorted())
        // Every reading arrives when the newest one before it is at most 5 s ahead.
        var newest: Int64 = 0
        for ts in order {
            #expect(ts >= newest - 5 * second)
            newest = max(newest, ts)
        }
        var cleaner = SensorCleaner(config: CleaningConfig(cadenceMs: second, allowedLatenessMs: 5 * second))
        _ = cleaner.add(s.readings)
        #expect(cleaner.lateCount == 0)
        #expect(cleaner.duplicateCount == s.faults(of: .duplicate).count)
    }

    @Test func aSeriesTooShortForFaultsIsDeliveredAsIs() {
        let s = injector.inject([1, 2, 3], seed: 1)
        #expect(s.faults.isEmpty && s.labels == [nil, nil, nil])
        #expect(s.readings.map(\.value) == [1, 2, 3])
    }
}
