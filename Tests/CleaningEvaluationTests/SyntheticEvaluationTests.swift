import Cleaning
import CleaningEvaluation
import Foundation
import Testing

@Suite struct SyntheticEvaluationTests {
    let report = CleaningEvaluation.run(
        series: [
            EvaluationSeries(name: "sine-a", values: noisySine(seed: 1), aggregation: .mean),
            EvaluationSeries(name: "sine-b", values: noisySine(seed: 2), aggregation: .median),
        ],
        seed: 42)

    @Test func theCleanerFindsTheSpikes() throws {
        let spike = report.aggregate.waterline.spike
        #expect(spike.labelled == 72)
        #expect(try #require(spike.f1) >= 0.9)
    }

    @Test func noValueIsInventedInLongGaps() {
        let w = report.aggregate.waterline
        #expect(w.longGap.labelled > 0)
        #expect(w.valuesInLongGaps == 0)
        #expect(w.longGap.recall == 1)
    }

    @Test func shortGapsAreImputedAtLeastAsWellAsLinearly() throws {
        let w = report.aggregate.waterline
        #expect(w.shortGap.recall == 1)
        #expect(try #require(w.imputation.rmse) <= #require(w.linearImputation.rmse) + 1e-12)
    }

    @Test func deliveryFaultsAreRepaired() {
        let w = report.aggregate.waterline
        #expect(w.duplicates.dropped == w.duplicates.injected)
        #expect(w.outOfOrder.intact == w.outOfOrder.bursts)
        #expect(w.outOfOrder.lateReadings == 0)
    }

    @Test func theNoneBaselineFlagsNothing() {
        let none = report.aggregate.none
        for score in [none.spike, none.stuck, none.longGap, none.shortGap] {
            #expect(score.truePositives == 0 && score.falsePositives == 0)
        }
        #expect(none.unitSwitch.unflagged == none.unitSwitch.slots)
        #expect(none.valuesInLongGaps == 0)
    }

    @Test func theReportEncodesToJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(report)
        let decoded = try JSONDecoder().decode(CleaningReport.self, from: data)
        #expect(decoded.aggregate == report.aggregate)
        #expect(decoded.series.map(\.name) == ["sine-a", "sine-b"])
    }
}
