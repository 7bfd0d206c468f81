import Cleaning
import Testing

private let minute: Int64 = 60_000

private func reading(_ minutes: Int64, _ value: Double) -> RawSample {
    RawSample(tsMs: minutes * minute, value: value)
}

private func config(halfWidth: Int = 2, threshold: Double = 3, lateness: Int64 = 0) -> CleaningConfig {
    CleaningConfig(
        cadenceMs: minute, allowedLatenessMs: lateness, maxFillSteps: 3, stuckSteps: 50,
        spikeHalfWidth: halfWidth, spikeThreshold: threshold, smoothingAlpha: 0.5)
}

/// A calm series with a little variation, and a spike at minute 10.
private let calm: [Double] = (0..<20).map { 2 + 0.01 * Double($0 % 3) }
private func withSpike(at index: Int = 10, _ value: Double = 9) -> [Double] {
    var v = calm
    v[index] = value
    return v
}


@Suite struct SeriesCleanerTests {
    @Test func aSpikeIsPublishedAtOnceAndCorrectedAsTheNextRevision() {
        var c = SeriesCleaner(config: config())
        var out: [[CleanSample]] = []
        for (i, v) in withSpike().enumerated() { out.append(c.add([reading(Int64(i), v)])) }
        // With no lateness each slot is final as soon as the next reading arrives.
        #expect(out[11].map(\.tsMs) == [10 * minute])
        #expect(out[11][0].value == 9 && out[11][0].revision == 1 && out[11][0].flags == [])
        // Two slots later its window is complete: the corrected version follows.
        let corrected = out[13].first { $0.tsMs == 10 * minute }
        #expect(corrected?.revision == 2)
        #expect(corrected?.flags == .spike)
        #expect(corrected?.rawValue == 9)
        #expect(corrected?.value == 2.02)  // median of 2.02, 2.0, 9, 2.02, 2.0
        #expect(out.joined().filter { $0.flags.contains(.spike) }.count == 1)
    }

    @Test func aCorrectionFollowsAsTheNextRevisionHoweverTheReadingsWereBatched() {
        let readings = withSpike().enumerated().map { reading(Int64($0.offset), $0.element) }
        var whole = SeriesCleaner(config: config())
        let inOneCall = whole.add(readings) + whole.finish()
        var single = SeriesCleaner(config: config())
        let oneByOne = readings.flatMap { single.add([$0]) } + single.finish()
        // The same versions in the same order: the first version of the spike is the
        // reading, its judgement the next revision.
        #expect(inOneCall == oneByOne)
        let spike = inOneCall.filter { $0.tsMs == 10 * minute }
        #expect(spike.map(\.revision) == [1, 2])
        #expect(spike[0].value == 9 && spike[0].flags == [])
        #expect(spike[1].flags == .spike && spike[1].value == 2.02 && spike[1].rawValue == 9)
        #expect(inOneCall.latestVersions().map(\.tsMs) == (0..<20).map { Int64($0) * minute })
    }

    @Test func aStepChangeIsNotASpike() {
        var c = SeriesCleaner(config: config())
        let values = calm.enumerated().map { $0.offset < 10 ? $0.element : $0.element - 1.5 }
        var out = c.add(values.enumerated().map { reading(Int64($0.offset), $0.element) })
        out += c.finish()
        #expect(out.allSatisfy { !$0.flags.contains(.spike) })
    }

    @Test func smoothingIsAnEWMAThatRestartsAfterAGap() {
        var c = SeriesCleaner(config: config(halfWidth: 0))
        var out = c.add([reading(0, 2), reading(1, 4), reading(2, 8), reading(10, 6)])
        out += c.finish()
        #expect(out.prefix(3).map(\.smoothed) == [2, 3, 5.5])
        #expect(out.first { $0.flags.contains(.gap) }?.smoothed == nil)
        #expect(out.last?.smoothed == 6)
        // The scored value is never the smoothed one.
        #expect(out.prefix(3).map(\.value) == [2, 4, 8])
    }

    @Test func noSpikeDetectionWithAZeroHalfWidth() {
        var c = SeriesCleaner(config: config(halfWidth: 0))
        var out = c.add(withSpike().enumerated().map { reading(Int64($0.offset), $0.element) })
        out += c.finish()
        #expect(out[10].value == 9 && out[10].flags == [])
    }

    // MARK: Stuck runs

    private func stuckConfig(tolerance: Double = 0) -> CleaningConfig {
        CleaningConfig(
            cadenceMs: minute, allowedLatenessMs: 0, stuckSteps: 3, stuckTolerance: tolerance, spikeHalfWidth: 0)
    }

    @Test func aRunOfStuckStepsRepeatsIsFlaggedWhole() {
        var c = SeriesCleaner(config: stuckConfig())
        var out = c.add([4, 5, 5, 5, 5, 6, 6].enumerated().map { reading(Int64($0.offset), $0.element) })
        out += c.finish()
        let flagged = out.latestVersions().map { $0.flags.contains(.stuck) }
        #expect(flagged == [false, true, true, true, true, false, false])
        // The earlier points of the run follow as corrections, within one call too.
        #expect(out.filter { $0.revision == 2 }.map(\.tsMs) == [1, 2].map { Int64($0) * minute })
    }

    @Test func earlierPointsOfAStuckRunAreCorrectedAsRevisions() {
        var c = SeriesCleaner(config: stuckConfig())
        // No lateness: a slot is final once a reading of the next slot arrives.
        _ = c.add([reading(0, 4), reading(1, 5), reading(2, 5)])
        let second = c.add([reading(3, 5)])
        #expect(second.map(\.flags) == [[]])  // minute 2: the run is 2 long
        let third = c.add([reading(4, 5)])
        // Minute 3 completes the run of 3: minutes 1 and 2 follow as revision 2.
        #expect(third.map(\.tsMs) == [minute, 2 * minute, 3 * minute])
        #expect(third.map(\.flags) == [.stuck, .stuck, .stuck])
        #expect(third.map(\.revision) == [2, 2, 1])
    }

    @Test func aRunIsRepeatedFromItsThirdReadingInItsFirstVersions() {
        var c = SeriesCleaner(config: CleaningConfig(cadenceMs: minute, allowedLatenessMs: 0, stuckSteps: 6, spikeHalfWidth: 0))
        // A run of 5 (not stuck), then another value.
        let out = c.add([4, 5, 5, 5, 5, 5, 6, 7].enumerated().map { reading(Int64($0.offset), $0.element) }) + c.finish()
        #expect(out.allSatisfy { $0.revision == 1 })
        #expect(out.map { $0.flags.contains(.repeated) } == [false, false, false, true, true, true, false, false])
        #expect(!out.contains { $0.flags.contains(.stuck) })
    }

    @Test func nearIdenticalValuesCountAsStuckWithinTheTolerance() {
        var c = SeriesCleaner(config: stuckConfig(tolerance: 0.01))
        var out = c.add([5, 5.004, 4.995, 5.2, 5.2].enumerated().map { reading(Int64($0.offset), $0.element) })
        out += c.finish()
        #expect(out.latestVersions().map { $0.flags.contains(.stuck) }
            == [true, true, true, false, false])
    }

    // MARK: Rebuilding

    /// Cleans `values` (minutes 0...) in one go, as stored after a first pass.
    private func stored(_ values: [Double], config: CleaningConfig) -> [CleanSample] {
        var c = SeriesCleaner(config: config)
        return (c.add(values.enumerated().map { reading(Int64($0.offset), $0.element) }) + c.finish()).latestVersions()
    }

    @Test func aRebuildWithNothingNewChangesNothing() {
        let cfg = config()
        let raws = calm.enumerated().map { reading(Int64($0.offset), $0.element) }
        let history = stored(calm, config: cfg)
        let (_, changes) = SeriesCleaner.rebuild(
            config: cfg, startSlot: 0, raws: raws, stored: history, compareFrom: 5 * minute)
        #expect(changes.isEmpty)
    }

    @Test func aLateReadingRevisesItsSlotAndTheInterpolationAroundIt() {
        let cfg = config(halfWidth: 0)
        // Minutes 5 and 6 missing: imputed from 4 and 7.
        var values = calm.map { $0 as Double? }
        values[5] = nil
        values[6] = nil
        var c = SeriesCleaner(config: cfg)
        let first = c.add(values.enumerated().compactMap { i, v in v.map { reading(Int64(i), $0) } }) + c.finish()
        #expect(first.filter { $0.flags.contains(.imputed) }.map(\.tsMs) == [5 * minute, 6 * minute])
        // The reading for minute 5 arrives late.
        let late = reading(5, 3)
        #expect(c.add([late]).isEmpty)
        #expect(c.takeLate() == [late])
        let raws = values.enumerated().compactMap { i, v in v.map { reading(Int64(i), $0) } } + [late]
        let (rebuilt, changes) = SeriesCleaner.rebuild(
            config: cfg, startSlot: 0, raws: raws, stored: first, compareFrom: 2 * minute, lateSlots: [5 * minute])
        #expect(changes.map(\.tsMs) == [5 * minute, 6 * minute])
        #expect(changes.allSatisfy { $0.revision == 2 })
        #expect(changes[0].value == 3 && changes[0].flags == .late)
        // Minute 6 is now interpolated between 3 (minute 5) and minute 7.
        #expect(changes[1].flags == .imputed)
        #expect(abs(changes[1].value! - (3 + values[7]!) / 2) < 1e-12)
        #expect(rebuilt.nextSlot == c.nextSlot)
    }

    @Test func aRebuildKeepsAPendingSpikeJudgementAndPublishesItOnce() {
        let cfg = config()
        let values = withSpike(at: 18)
        // Cleaned up to minute 19; the spike at 18 waits for its window.
        var c = SeriesCleaner(config: cfg)
        let first = c.add(values.enumerated().map { reading(Int64($0.offset), $0.element) }) + c.flush()
        #expect(first.filter { $0.flags.contains(.spike) }.isEmpty)
        // After a restart, a rebuild from storage returns nothing new...
        let raws = values.enumerated().map { reading(Int64($0.offset), $0.element) }
        var (rebuilt, changes) = SeriesCleaner.rebuild(
            config: cfg, startSlot: 5 * minute, raws: raws, stored: first, compareFrom: 20 * minute)
        #expect(changes.isEmpty)
        // ...and the judgement follows once the window is complete, as revision 2.
        let next = rebuilt.add([reading(20, 2), reading(21, 2.01), reading(22, 2)])
        let spike = next.first { $0.tsMs == 18 * minute }
        #expect(spike?.revision == 2)
        #expect(spike?.flags == .spike)
    }

    @Test func aConflictingReadingRebuildsItsSlotWithTheLastValue() {
        let cfg = config(halfWidth: 0)
        let history = stored(calm, config: cfg)
        var raws = calm.enumerated().map { reading(Int64($0.offset), $0.element) }
        raws[4] = RawSample(tsMs: 4 * minute, value: 2.5, conflict: true)
        let (_, changes) = SeriesCleaner.rebuild(
            config: cfg, startSlot: 0, raws: raws, stored: history, compareFrom: 2 * minute)
        #expect(changes.count == 1)
        #expect(changes.first?.value == 2.5)
        // A reading the stored version did not have arrived after the slot was emitted.
        #expect(changes.first?.flags == [.conflict, .late])
        #expect(changes.first?.revision == 2)
    }
}
