import Cleaning
import CleaningEvaluation
import Testing

/// A 10-slot series with two spikes (slots 2 and 6), a duplicate (slot 8) and a short
/// gap (slot 4), cleaned by hand.
@Suite struct CleaningMetricsTests {
    let untouched: [Double] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

    var injected: InjectedSeries {
        var labels = [FaultKind?](repeating: nil, count: 10)
        labels[2] = .spike
        labels[4] = .shortGap
        labels[6] = .spike
        labels[8] = .duplicate
        var sent: [Double?] = untouched
        sent[2] = 30
        sent[4] = nil
        sent[6] = 70
        let readings = sent.enumerated().compactMap { i, v in v.map { RawSample(tsMs: Int64(i) * 1000, value: $0) } }
        return InjectedSeries(
            cadenceMs: 1000, readings: readings, labels: labels,
            faults: [
                InjectedFault(kind: .spike, start: 2, length: 1), InjectedFault(kind: .shortGap, start: 4, length: 1),
                InjectedFault(kind: .spike, start: 6, length: 1), InjectedFault(kind: .duplicate, start: 8, length: 1),
            ],
            sent: sent)
    }

    /// Flags slot 2 (hit), slot 8 (false alarm on a duplicate) and slot 9 (false alarm);
    /// misses slot 6; fills the gap with 4.5.
    var cleaned: CleanedSeries {
        let values: [Double?] = [1, 2, 2, 4, 4.5, 6, 70, 8, 9, 10]
        let points = values.enumerated().map { i, v in
            var flags: QualityFlags = []
            if [2, 8, 9].contains(i) { flags.insert(.spike) }
            if i == 4 { flags.insert(.imputed) }
            return Optional(CleanSample(tsMs: Int64(i) * 1000, value: v, rawValue: v, flags: flags))
        }
        return CleanedSeries(points: points, duplicatesDropped: 1)
    }

    @Test func precisionAndRecallOfTheSpikeFlag() {
        let r = CleaningMetrics.score(cleaned, injected: injected, untouched: untouched)
        #expect(r.spike.truePositives == 1)
        #expect(r.spike.falsePositives == 2)
        #expect(r.spike.falseNegatives == 1)
        #expect(r.spike.precision == 1.0 / 3)
        #expect(r.spike.recall == 0.5)
        #expect(r.spike.f1 == 0.4)  // 2·1 / (2·1 + 2 + 1)
    }

    @Test func imputationAndErrors() {
        let r = CleaningMetrics.score(cleaned, injected: injected, untouched: untouched)
        #expect(r.shortGap.truePositives == 1 && r.shortGap.falsePositives == 0 && r.shortGap.recall == 1)
        #expect(r.imputation.rmse == 0.5)
        #expect(r.linearImputation.rmse == 0)  // 4 is halfway between 3 and 5
        // Errors: slot 2 (1), slot 4 (0.5), slot 6 (63).
        #expect(r.error.count == 10)
        #expect(abs(r.error.rmse! - ((1 + 0.25 + 63 * 63) / 10).squareRoot()) < 1e-12)
        #expect(r.duplicates == DuplicateOutcome(injected: 1, dropped: 1))
        #expect(r.valuesInLongGaps == 0)
    }

    @Test func nothingFlaggedHasNoPrecisionAndZeroF1() {
        let r = CleaningMetrics.score(NoCleaningBaseline.clean(injected), injected: injected, untouched: untouched)
        #expect(r.spike.precision == nil)
        #expect(r.spike.recall == 0)
        #expect(r.spike.f1 == 0)
        #expect(r.imputation.count == 0)
    }

    @Test func scoresAddUp() {
        let a = FlagScore(truePositives: 3, falsePositives: 1, falseNegatives: 0)
        let b = FlagScore(truePositives: 1, falsePositives: 0, falseNegatives: 4)
        let sum = a + b
        #expect(sum.precision == 0.8 && sum.recall == 0.5)
        #expect((ErrorSum(sumOfSquares: 8, count: 1) + ErrorSum(sumOfSquares: 0, count: 1)).rmse == 2)
    }
}
