import Cleaning
import PropertyBased
import Testing

private let minute: Int64 = 60_000
private let lateness: Int64 = 3 * minute

private let propertyConfig = CleaningConfig(
    cadenceMs: minute, allowedLatenessMs: lateness, maxFillSteps: 3, minValue: 0.5, maxValue: 9.5,
    stuckSteps: 4, spikeHalfWidth: 2, spikeThreshold: 3)

/// A sensor's readings: one per slot where the value is present, at a random second
/// of the slot. Rounded values repeat, which makes stuck runs.
private let series = zip(
    Gen.double(in: 0...10).optional(valueRate: 0.8).array(of: 10...120),
    Gen.bool(),
    Gen.int(in: 0...59).array(of: 120)
).map { values, rounded, seconds -> [RawSample] in
    values.enumerated().compactMap { i, v in
        v.map { RawSample(tsMs: Int64(i) * minute + Int64(seconds[i]) * 1000, value: rounded ? $0.rounded() : $0) }
    }
}

/// Cleans readings arriving in the given batches, and ends the data.
private func clean(_ batches: [[RawSample]]) -> [CleanSample] {
    var cleaner = SeriesCleaner(config: propertyConfig)
    var out: [CleanSample] = []
    for batch in batches { out += cleaner.add(batch) }
    return out + cleaner.finish()
}

private func sameSeries(_ a: [CleanSample], _ b: [CleanSample]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.sameContent(as: $1) }
}

private func batches(_ readings: [RawSample], size: Int) -> [[RawSample]] {
    stride(from: 0, to: readings.count, by: size).map { Array(readings[$0..<min($0 + size, readings.count)]) }
}

@Suite struct CleaningPropertyTests {
    @Test func theCleanSeriesIsTheSameWhateverTheOrderWithinTheAllowedLateness() async {
        await propertyCheck(input: series, Gen.int(in: 0...Int(lateness)).array(of: 120), Gen.int(in: 1...25)) {
            readings, delays, batchSize in
            let inOrder = clean([readings]).latestVersions()
            // Each reading is delayed by at most the allowed lateness: it never arrives
            // after a reading more than the lateness newer than itself.
            let arrival = readings.enumerated()
                .sorted { ($0.element.tsMs + Int64(delays[$0.offset]), $0.offset) < ($1.element.tsMs + Int64(delays[$1.offset]), $1.offset) }
                .map(\.element)
            let shuffled = clean(batches(arrival, size: batchSize)).latestVersions()
            #expect(sameSeries(inOrder, shuffled))
        }
    }

    @Test func resendingAnySubsetOfReadingsChangesNothing() async {
        await propertyCheck(input: series, Gen.bool(0.3).array(of: 120), Gen.int(in: 1...25)) {
            readings, resend, batchSize in
            let once = clean(batches(readings, size: batchSize)).latestVersions()
            // Every batch is followed by a resend of some readings seen so far.
            var cleaner = SeriesCleaner(config: propertyConfig)
            var out: [CleanSample] = []
            var late: [RawSample] = []
            var seen: [RawSample] = []
            for batch in batches(readings, size: batchSize) {
                out += cleaner.add(batch)
                seen += batch
                out += cleaner.add(seen.enumerated().filter { resend[$0.offset % resend.count] }.map(\.element))
                late += cleaner.takeLate()
            }
            out += cleaner.finish()
            #expect(sameSeries(once, out.latestVersions()))
            // The resent readings that came after their slot was emitted are handed
            // back; rebuilding from them changes nothing either.
            let stored = out.latestVersions()
            if let first = stored.first {
                let (_, changes) = SeriesCleaner.rebuild(
                    config: propertyConfig, startSlot: first.tsMs, raws: readings, stored: stored,
                    compareFrom: first.tsMs, lateSlots: Set(late.map { $0.tsMs / minute * minute }))
                #expect(changes.isEmpty)
            }
        }
    }

    @Test func noValueIsEverProducedInsideAGapLongerThanTheLimit() async {
        await propertyCheck(input: series) { readings in
            let out = clean([readings]).latestVersions()
            let filled = Set(readings.map { $0.tsMs / minute })
            guard let last = filled.max() else { return }
            var run: [Int64] = []
            for slot in 0...last + 1 {
                if !filled.contains(slot) && slot <= last {
                    run.append(slot)
                    continue
                }
                if run.count > propertyConfig.maxFillSteps {
                    for s in run {
                        let point = out.first { $0.tsMs == s * minute }
                        #expect(point == nil || (point?.value == nil && point?.flags == .gap))
                    }
                }
                run.removeAll()
            }
        }
    }

    @Test func everyChangedValueCarriesAFlag() async {
        await propertyCheck(input: series) { readings in
            let bySlot = Dictionary(grouping: readings) { $0.tsMs / minute * minute }
            for point in clean([readings]).latestVersions() {
                let inSlot = bySlot[point.tsMs] ?? []
                if inSlot.count == 1, point.value == inSlot[0].value { continue }
                // A value not read as such: imputed, aggregated, a spike's median, or none.
                #expect(!point.flags.intersection([.imputed, .aggregated, .spike, .gap]).isEmpty)
            }
        }
    }
}

/// The streaming Hampel filter (ring buffer, sorted window, merged deviations) against
/// the textbook computation on every window.
@Suite struct HampelReferenceTests {
    private func reference(_ values: [Double?], halfWidth: Int, threshold: Double, minScale: Double) -> [HampelFilter.Decision] {
        func median(_ v: [Double]) -> Double {
            let s = v.sorted()
            return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        return values.indices.map { i in
            let window = values[max(0, i - halfWidth)...min(values.count - 1, i + halfWidth)].compactMap { $0 }
            let m = window.isEmpty ? nil : median(window)
            guard let value = values[i], let m, window.count >= 3 else {
                return HampelFilter.Decision(value: values[i], spike: false, median: m)
            }
            let scale = max(1.4826 * median(window.map { abs($0 - m) }), minScale)
            return HampelFilter.Decision(value: value, spike: abs(value - m) > threshold * scale, median: m)
        }
    }

    @Test func decisionsEqualTheTextbookComputation() async {
        let values = Gen.double(in: -5...5).map { ($0 * 4).rounded() / 4 }.optional(valueRate: 0.85).array(of: 1...80)
        await propertyCheck(input: values, Gen.int(in: 1...7)) { values, halfWidth in
            var filter = HampelFilter(halfWidth: halfWidth, threshold: 2.5, minScale: 0.01)
            var decisions = values.compactMap { filter.push($0) }
            decisions += filter.drain()
            #expect(decisions == reference(values, halfWidth: halfWidth, threshold: 2.5, minScale: 0.01))
        }
    }
}
