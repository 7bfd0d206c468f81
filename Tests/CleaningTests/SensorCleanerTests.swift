import Simulation
import Testing
import Cleaning

/// One minute in milliseconds: the cadence used throughout.
private let minute: Int64 = 60_000

private func reading(_ minutes: Int64, _ value: Double, offsetMs: Int64 = 0) -> RawSample {
    RawSample(tsMs: minutes * minute + offsetMs, value: value)
}

private func cleaner(
    maxFillSteps: Int = 5, minValue: Double = -.infinity, maxValue: Double = .infinity, stuckSteps: Int = 30,
    aggregation: SlotAggregation = .mean
) -> SensorCleaner {
    SensorCleaner(config: CleaningConfig(
        cadenceMs: minute, allowedLatenessMs: 2 * minute, maxFillSteps: maxFillSteps, minValue: minValue,
        maxValue: maxValue, stuckSteps: stuckSteps, aggregation: aggregation))
}

@Suite struct SensorCleanerTests {
    @Test func slotsAreEmittedOnceTheWatermarkPassesThem() {
        var c = cleaner()
        // Cadence 60 s, lateness 120 s: slot s is final once a reading at s + 180 s arrives.
        #expect(c.add([reading(0, 10)]).isEmpty)
        #expect(c.add([reading(1, 11)]).isEmpty)
        #expect(c.add([reading(2, 12)]).isEmpty)
        #expect(c.add([reading(3, 13)]) == [CleanSample(tsMs: 0, value: 10, rawValue: 10, flags: [])])
        #expect(c.add([reading(4, 14)]) == [CleanSample(tsMs: minute, value: 11, rawValue: 11, flags: [])])
        // A jump ahead releases every slot the new watermark passed, in order.
        let out = c.add([reading(7, 17)])
        #expect(out.map(\.tsMs) == [2 * minute, 3 * minute, 4 * minute])
        #expect(out.map(\.value) == [12, 13, 14])
        #expect(c.nextSlot == 5 * minute)
        #expect(c.lateCount == 0)
        #expect(c.duplicateCount == 0)
    }

    @Test func readingsAreBucketedToTheStartOfTheirSlot() {
        var c = cleaner()
        _ = c.add([reading(0, 4, offsetMs: 59_999), reading(1, 8, offsetMs: 1)])
        let out = c.flush()
        #expect(out.map(\.tsMs) == [0, minute])
        #expect(out.map(\.value) == [4, 8])
        #expect(c.slot(of: -1) == -minute)
        #expect(c.slot(of: 119_999) == minute)
    }

    @Test func meanAggregatesTheSlotAndFlagsIt() {
        var c = cleaner(aggregation: .mean)
        _ = c.add([reading(0, 9, offsetMs: 40_000), reading(0, 1, offsetMs: 0), reading(0, 2, offsetMs: 20_000)])
        let out = c.flush()
        #expect(out.count == 1)
        #expect(out[0].value == 4)
        #expect(out[0].flags == .aggregated)
        // The raw value is the slot's last reading in time, not in arrival order.
        #expect(out[0].rawValue == 9)
    }

    @Test func medianIgnoresATransientForPressure() {
        var c = cleaner(aggregation: .median)
        _ = c.add([reading(0, 1, offsetMs: 0), reading(0, 9, offsetMs: 20_000), reading(0, 2, offsetMs: 40_000)])
        _ = c.add([reading(1, 5, offsetMs: 0), reading(1, 3, offsetMs: 30_000)])
        let out = c.flush()
        #expect(out.map(\.value) == [2, 4])  // odd count: middle value; even count: mean of the middle two
        #expect(out.allSatisfy { $0.flags == .aggregated })
        #expect(out.map(\.rawValue) == [2, 3])
    }

    @Test func singleReadingIsNotFlaggedAggregated() {
        var c = cleaner()
        _ = c.add([reading(0, 3)])
        #expect(c.flush() == [CleanSample(tsMs: 0, value: 3, rawValue: 3, flags: [])])
    }

    @Test func sameValueDuplicatesAreDropped() {
        var c = cleaner()
        _ = c.add([reading(0, 10), reading(0, 10), reading(0, 20, offsetMs: 30_000)])
        _ = c.add([reading(0, 10)])
        #expect(c.duplicateCount == 2)
        #expect(c.conflictCount == 0)
        #expect(c.flush() == [CleanSample(tsMs: 0, value: 15, rawValue: 20, flags: .aggregated)])
    }

    @Test func aDifferentValueForTheSameTimestampIsAConflictAndTheLastWins() {
        var c = cleaner()
        _ = c.add([reading(0, 10), reading(0, 99), reading(0, 20, offsetMs: 30_000)])
        _ = c.add([reading(0, 40)])
        #expect(c.conflictCount == 2)
        #expect(c.duplicateCount == 0)
        // The last value written for second 0 (40) counts: mean of 40 and 20.
        #expect(c.flush() == [CleanSample(tsMs: 0, value: 30, rawValue: 20, flags: [.aggregated, .conflict])])
    }

    @Test func readingForAnEmittedSlotIsCountedLate() {
        var c = cleaner()
        _ = c.add((0...3).map { reading($0, Double($0)) })  // slot 0 emitted
        #expect(c.nextSlot == minute)
        #expect(c.add([reading(0, 50, offsetMs: 30_000)]).isEmpty)
        #expect(c.lateCount == 1)
        #expect(c.duplicateCount == 0)
        // It is handed back once, for the caller to rebuild the window.
        #expect(c.takeLate() == [reading(0, 50, offsetMs: 30_000)])
        #expect(c.takeLate().isEmpty)
        // The late reading changed nothing downstream.
        let out = c.flush()
        #expect(out.map(\.tsMs) == [minute, 2 * minute, 3 * minute])
        #expect(out.map(\.value) == [1, 2, 3])
    }

    @Test func earlierReadingBeforeAnyEmissionMovesTheStartBack() {
        var c = cleaner()
        _ = c.add([reading(5, 5)])
        _ = c.add([reading(4, 4)])
        #expect(c.nextSlot == 4 * minute)
        #expect(c.lateCount == 0)
        #expect(c.flush().map(\.value) == [4, 5])
    }

    @Test func shortGapIsInterpolatedAndFlaggedImputed() {
        var c = cleaner(maxFillSteps: 5)
        // Slots 1, 2 and 3 are missing between 10 at slot 0 and 18 at slot 4.
        var out = c.add([reading(0, 10), reading(4, 18), reading(5, 19), reading(6, 20)])
        out += c.add([reading(7, 21)])
        #expect(out == [
            CleanSample(tsMs: 0, value: 10, rawValue: 10, flags: []),
            CleanSample(tsMs: 1 * minute, value: 12, rawValue: nil, flags: .imputed),
            CleanSample(tsMs: 2 * minute, value: 14, rawValue: nil, flags: .imputed),
            CleanSample(tsMs: 3 * minute, value: 16, rawValue: nil, flags: .imputed),
            CleanSample(tsMs: 4 * minute, value: 18, rawValue: 18, flags: []),
        ])
    }

    @Test func gapOfExactlyMaxFillStepsIsStillFilled() {
        var c = cleaner(maxFillSteps: 3)
        var out = c.add([reading(0, 0), reading(4, 8)])
        out += c.flush()
        #expect(out.map(\.value) == [0, 2, 4, 6, 8])
        #expect(out.map(\.flags) == [[], .imputed, .imputed, .imputed, []])
    }

    @Test func longGapIsEmittedAsEmptyGapPoints() {
        var c = cleaner(maxFillSteps: 5)
        // Ten missing slots (1...10) between slot 0 and slot 11.
        var out = c.add([reading(0, 10)])
        out += c.add([reading(11, 30)])
        #expect(out.map(\.tsMs) == [0])  // the gap waits for its right end
        out += c.flush()
        #expect(out.count == 12)
        let gap = out.filter { $0.flags == .gap }
        #expect(gap.count == 10)
        #expect(gap.map(\.tsMs) == (1...10).map { $0 * minute })
        #expect(gap.allSatisfy { $0.value == nil && $0.rawValue == nil })
        #expect(out.first?.value == 10)
        #expect(out.last == CleanSample(tsMs: 11 * minute, value: 30, rawValue: 30, flags: []))
        #expect(out.map(\.tsMs) == (0...11).map { $0 * minute })
    }

    @Test func gapNextToAnUnusableValueIsNotInterpolated() {
        var c = cleaner(maxFillSteps: 5, maxValue: 100)
        var out = c.add([reading(0, 10), reading(3, 500)])
        out += c.flush()
        #expect(out.map(\.flags) == [[], .gap, .gap, .outOfRange])
        #expect(out[1].value == nil && out[2].value == nil)
    }

    @Test func anUnusablePointIsNoAnchorForInterpolation() {
        var c = cleaner(maxValue: 100)
        var out = c.add([reading(0, 10), reading(1, 500), reading(3, 20)])
        out += c.flush()
        // Slot 2 lies next to an out-of-range point: left empty, not filled from slot 0.
        #expect(out.map(\.flags) == [[], .outOfRange, .gap, []])
    }

    @Test func outOfRangeIsFlaggedButKept() {
        var c = cleaner(minValue: 0, maxValue: 10)
        var out = c.add([reading(0, -1), reading(1, 5), reading(2, 12), reading(3, 10)])
        out += c.flush()
        #expect(out.map(\.value) == [-1, 5, 12, 10])
        #expect(out.map(\.flags) == [.outOfRange, [], .outOfRange, []])
        #expect(QualityFlags.unfitForModel.contains(.outOfRange))
    }

    @Test func noiseJustBeyondABoundIsWithinTheRangeTolerance() {
        var c = SensorCleaner(config: CleaningConfig(
            cadenceMs: minute, minValue: 0, maxValue: 50, rangeTolerance: 0.5))
        var out = c.add([reading(0, -0.2), reading(1, -0.5), reading(2, -0.6), reading(3, 50.4), reading(4, 51)])
        out += c.flush()
        // Kept as read (not clamped), flagged only past the tolerance.
        #expect(out.map(\.value) == [-0.2, -0.5, -0.6, 50.4, 51])
        #expect(out.map(\.flags) == [[], [], .outOfRange, [], .outOfRange])
    }

    @Test func flushEmitsHeldSlots() {
        var c = cleaner()
        #expect(c.flush().isEmpty)  // nothing seen yet
        #expect(c.add([reading(0, 1), reading(1, 2), reading(2, 3)]).isEmpty)
        #expect(c.hasPending)
        let out = c.flush()
        #expect(out.map(\.tsMs) == [0, minute, 2 * minute])
        #expect(out.map(\.value) == [1, 2, 3])
        #expect(!c.hasPending)
        #expect(c.nextSlot == 3 * minute)
        #expect(c.flush().isEmpty)
    }

    @Test func resumeContinuesAtTheNextSlot() {
        var c = SensorCleaner(
            config: CleaningConfig(cadenceMs: minute, maxFillSteps: 5), resumeAfter: 10 * minute, lastValue: 10)
        #expect(c.nextSlot == 11 * minute)
        // Slot 10 was emitted before the restart: a reading for it is late.
        _ = c.add([reading(10, 99, offsetMs: 5_000)])
        #expect(c.lateCount == 1)
        // Slots 11 and 12 are missing: interpolated from the last value before the restart.
        _ = c.add([reading(13, 16)])
        let out = c.flush()
        #expect(out == [
            CleanSample(tsMs: 11 * minute, value: 12, rawValue: nil, flags: .imputed),
            CleanSample(tsMs: 12 * minute, value: 14, rawValue: nil, flags: .imputed),
            CleanSample(tsMs: 13 * minute, value: 16, rawValue: 16, flags: []),
        ])
    }

    @Test func resumeWithoutALastValueDoesNotInvent() {
        var c = SensorCleaner(config: CleaningConfig(cadenceMs: minute), resumeAfter: 10 * minute, lastValue: nil)
        _ = c.add([reading(12, 7)])
        let out = c.flush()
        #expect(out.map(\.tsMs) == [11 * minute, 12 * minute])
        #expect(out.map(\.flags) == [.gap, []])
        #expect(out[0].value == nil)
    }

    @Test func traceIDOfTheLastReadingIsKept() {
        var c = cleaner()
        _ = c.add([
            RawSample(tsMs: 10_000, value: 1, traceID: "a"), RawSample(tsMs: 50_000, value: 2, traceID: "b"),
        ])
        #expect(c.flush().first?.traceID == "b")
    }

    /// The same series arriving shuffled within the allowed lateness gives the same clean output.
    @Test(arguments: [1, 2, 3, 7, 42, 1234, 99_999, 2_024] as [UInt64])
    func shuffledWithinLatenessGivesTheSameOutput(seed: UInt64) {
        let lateness = 2 * minute
        // Three readings per slot, with a short gap (slots 20...22) and a long one (slots 40...49).
        var series: [RawSample] = []
        for i in Int64(0)..<(70 * 3) {
            let ts = i * 20_000
            let s = ts / minute
            if (20...22).contains(s) || (40...49).contains(s) { continue }
            series.append(RawSample(tsMs: ts, value: 50 + Double(i % 17) * 0.5 - Double(i % 5)))
        }

        var inOrder = cleaner(maxFillSteps: 5)
        var expected: [CleanSample] = []
        for r in series { expected += inOrder.add([r]) }
        expected += inOrder.flush()

        // Bounded disorder: sort by timestamp plus a random delay of at most the lateness, so
        // no reading arrives more than `lateness` behind the newest one seen before it.
        var rng = SeededGenerator(seed: seed)
        let shuffled = series
            .map { ($0, $0.tsMs + Int64(rng.next() % UInt64(lateness + 1))) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.tsMs > $1.0.tsMs }
            .map(\.0)
        #expect(shuffled != series)

        var c = cleaner(maxFillSteps: 5)
        var actual: [CleanSample] = []
        var i = 0
        while i < shuffled.count {
            let n = Int(rng.next() % 4) + 1  // batches of 1...4 readings
            actual += c.add(Array(shuffled[i..<min(i + n, shuffled.count)]))
            i += n
        }
        actual += c.flush()

        #expect(c.lateCount == 0)
        #expect(c.duplicateCount == 0)
        #expect(actual == expected)
        #expect(actual.count == 70)
        #expect(actual.filter { $0.flags == .imputed }.count == 3)
        #expect(actual.filter { $0.flags == .gap }.count == 10)
    }
}
