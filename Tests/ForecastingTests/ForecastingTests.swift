import Foundation
import Testing
@testable import Forecasting

private let minute: Int64 = 60_000
private let hour: Int64 = 60 * minute
private let day: Int64 = 24 * hour
/// Start of the synthetic series: a Monday at midnight UTC (2024-01-01).
private let t0: Int64 = 1_704_067_200_000

/// The clean daily pattern: 100 ± 30 over the day.
private func truth(_ ts: Int64) -> Double {
    let phase = Double((ts - t0) % day) / Double(day)
    return 100 + 30 * sin(2 * Double.pi * phase)
}

/// Deterministic Gaussian noise (SplitMix64 + Box–Muller).
private struct Noise {
    private var state: UInt64
    let sigma: Double
    init(seed: UInt64, sigma: Double) {
        state = seed
        self.sigma = sigma
    }
    private mutating func nextUInt() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    private mutating func unit() -> Double { Double(nextUInt() >> 11) / Double(1 << 53) }
    mutating func next() -> Double {
        let u1 = max(unit(), 1e-12)
        let u2 = unit()
        return sigma * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// A scorer trained on `days` days of the noisy pattern, one point a minute.
private func trainedScorer(days: Int, noise: inout Noise) -> AnomalyScorer {
    var scorer = AnomalyScorer()
    var ts = t0
    while ts < t0 + Int64(days) * day {
        _ = scorer.score(truth(ts) + noise.next(), usable: true, at: ts)
        ts += minute
    }
    return scorer
}

@Suite struct ForecastTests {
    @Test func scoreIsPlusMinusOneAtTheIntervalEdges() {
        let f = Forecast(mean: 100, lower: 80, upper: 110, warmedUp: true)
        #expect(f.score(110) == 1)
        #expect(f.score(80) == -1)
        #expect(f.score(100) == 0)
        // Each side is scaled by its own half-width.
        #expect(f.score(105) == 0.5)
        #expect(f.score(90) == -0.5)
        #expect(f.score(130) == 3)
    }

    @Test func scoreIsZeroWhenNotWarmedUpOrDegenerate() {
        #expect(Forecast(mean: 100, lower: 80, upper: 110, warmedUp: false).score(500) == 0)
        #expect(Forecast(mean: 100, lower: 100, upper: 100, warmedUp: true).score(120) == 0)
    }
}

@Suite struct SeasonalProfileTests {
    @Test func notWarmedUpBeforeMinDays() {
        var profile = SeasonalProfile()
        #expect(profile.config.minDays == 2)
        var noise = Noise(seed: 1, sigma: 1)
        var ts = t0
        // One full day: every slot has a single day of history.
        while ts < t0 + day {
            profile.observe(truth(ts) + noise.next(), at: ts, anomalous: false)
            ts += minute
        }
        #expect(!profile.forecast(at: t0 + day + 12 * hour).warmedUp)
        #expect(profile.forecast(at: t0 + day + 12 * hour).mean == 0)
        // A second day: the slots are known now.
        while ts < t0 + 2 * day + minute {
            profile.observe(truth(ts) + noise.next(), at: ts, anomalous: false)
            ts += minute
        }
        let f = profile.forecast(at: t0 + 2 * day + 12 * hour)
        #expect(f.warmedUp)
        #expect(abs(f.mean - truth(t0 + 12 * hour)) < 2)
    }

    @Test func forecastTracksTheDailyPatternAndIntervalCovers() {
        var noise = Noise(seed: 7, sigma: 2)
        var profile = SeasonalProfile()
        var ts = t0
        while ts < t0 + 7 * day {
            profile.observe(truth(ts) + noise.next(), at: ts, anomalous: false)
            ts += minute
        }
        // The forecast at several times of the day is within 2% of the true value.
        for h in stride(from: Int64(0), to: 24, by: 3) {
            let at = t0 + 7 * day + h * hour + 7 * minute
            let f = profile.forecast(at: at)
            #expect(f.warmedUp)
            #expect(abs(f.mean - truth(at)) / truth(at) < 0.02, "at hour \(h): \(f.mean) vs \(truth(at))")
        }
        // The 90% interval covers at least 85% of a fresh day of noisy points, forecast one
        // step ahead as the scorer does.
        var covered = 0
        var total = 0
        var halfWidths: [Double] = []
        while ts < t0 + 8 * day {
            let value = truth(ts) + noise.next()
            let f = profile.forecast(at: ts)
            if f.lower <= value && value <= f.upper { covered += 1 }
            halfWidths.append((f.upper - f.lower) / 2)
            total += 1
            profile.observe(value, at: ts, anomalous: false)
            ts += minute
        }
        let coverage = Double(covered) / Double(total)
        #expect(coverage >= 0.85, "coverage \(coverage)")
        // ... without being uselessly wide: about 1.645 σ (σ = 2).
        let meanHalf = halfWidths.reduce(0, +) / Double(halfWidths.count)
        #expect(meanHalf < 5, "mean half-width \(meanHalf)")
    }
}

@Suite struct AnomalyScorerTests {
    /// Training lengths in the daily-profile regime (6 days) and the weekly one (14 days).
    @Test(arguments: [6, 14])
    func stepChangeOfThirtyPercentIsAnomalous(trainingDays: Int) {
        var noise = Noise(seed: 3, sigma: 1)
        var scorer = trainedScorer(days: trainingDays, noise: &noise)
        var ts = t0 + Int64(trainingDays) * day
        // A normal hour first: (almost) nothing anomalous.
        var normalAnomalies = 0
        for _ in 0..<60 {
            let r = scorer.score(truth(ts) + noise.next(), usable: true, at: ts)!
            if r.anomalous { normalAnomalies += 1 }
            ts += minute
        }
        #expect(normalAnomalies <= 3)
        // Then +30% for two hours: every point is anomalous, far outside the interval.
        var missed = 0
        var smallest = Double.infinity
        for _ in 0..<120 {
            let r = scorer.score(1.3 * truth(ts) + noise.next(), usable: true, at: ts)!
            #expect(r.forecast.warmedUp)
            if !r.anomalous { missed += 1 }
            smallest = min(smallest, r.surprise)
            ts += minute
        }
        #expect(missed == 0)
        #expect(smallest > 3)
    }

    /// Known issue: on the first repeat of a weekday (7 days of history) the weekly ring of a
    /// slot holds last week's mean and today's own, just-closed slot mean. With two values the
    /// median is their mean and the MAD is half their distance, so the first half of every
    /// slot during a step is forecast from the step itself: the surprise collapses (to ~1.4
    /// here) and some points of a +30% step are not anomalous. With 6 or 14 days of history
    /// the same step is never missed (see above).
    @Test func stepIsNotMaskedOnTheFirstRepeatOfAWeekday() {
        var noise = Noise(seed: 3, sigma: 1)
        var scorer = trainedScorer(days: 7, noise: &noise)
        var ts = t0 + 7 * day
        var missed = 0
        var smallest = Double.infinity
        for _ in 0..<120 {
            let r = scorer.score(1.3 * truth(ts) + noise.next(), usable: true, at: ts)!
            if !r.anomalous { missed += 1 }
            smallest = min(smallest, r.surprise)
            ts += minute
        }
        #expect(missed == 0)
        #expect(smallest > 3)
    }

    @Test(arguments: [6, 14])
    func slowDriftGrowsTheSurprise(trainingDays: Int) {
        var noise = Noise(seed: 11, sigma: 1)
        var scorer = trainedScorer(days: trainingDays, noise: &noise)
        let start = t0 + Int64(trainingDays) * day
        // A ramp of +1 unit per hour (≈1% of the level) on top of the pattern, for 12 hours.
        var surprises: [Double] = []
        var halfWidths: [Double] = []
        var ts = start
        while ts < start + 12 * hour {
            let ramp = Double(ts - start) / Double(hour)
            let r = scorer.score(truth(ts) + ramp + noise.next(), usable: true, at: ts)!
            surprises.append(r.surprise)
            halfWidths.append(r.forecast.upper - r.forecast.mean)
            ts += minute
        }
        func meanOf(_ xs: ArraySlice<Double>) -> Double { xs.reduce(0, +) / Double(xs.count) }
        let afterOneHour = meanOf(surprises[30..<60])
        let afterTwelveHours = meanOf(surprises[690..<720])
        #expect(afterTwelveHours > afterOneHour + 1, "1 h: \(afterOneHour), 12 h: \(afterTwelveHours)")
        #expect(afterTwelveHours > 1.5)
        // The point-noise estimate does not absorb the drift: the band did not widen much.
        #expect(meanOf(halfWidths[690..<720]) < 1.5 * meanOf(halfWidths[30..<60]))
    }

    /// Anomalous points must not feed the point-noise estimate, not even through the
    /// residual difference of the normal point that follows them: otherwise a sensor
    /// flapping between normal and +30% widens its own band until the spikes pass.
    @Test func intermittentAnomaliesDoNotWidenTheBand() {
        var noise = Noise(seed: 3, sigma: 1)
        var scorer = trainedScorer(days: 6, noise: &noise)
        var ts = t0 + 6 * day
        var halfWidths: [Double] = []
        var missedSpikes = 0
        for i in 0..<240 {
            let spike = i % 2 == 0
            let r = scorer.score((spike ? 1.3 : 1) * truth(ts) + noise.next(), usable: true, at: ts)!
            if spike && !r.anomalous { missedSpikes += 1 }
            halfWidths.append(r.forecast.upper - r.forecast.mean)
            ts += minute
        }
        #expect(missedSpikes == 0)
        #expect(halfWidths.last! < 2 * halfWidths.first!, "half-width \(halfWidths.first!) → \(halfWidths.last!)")
    }

    @Test func alreadyScoredTimestampsAreSkipped() {
        var scorer = AnomalyScorer()
        #expect(scorer.score(10, usable: true, at: 1_000) != nil)
        #expect(scorer.lastTs == 1_000)
        #expect(scorer.score(10, usable: true, at: 1_000) == nil)
        #expect(scorer.score(10, usable: true, at: 999) == nil)
        #expect(scorer.profile.observed == 1)
        #expect(scorer.score(10, usable: true, at: 1_001) != nil)
        // Warm-up history also counts as scored.
        scorer.warm(12, at: 5_000)
        #expect(scorer.lastTs == 5_000)
        #expect(scorer.score(12, usable: true, at: 5_000) == nil)
        #expect(scorer.profile.observed == 3)
    }

    @Test func unusablePointsAreNotScoredNorLearned() {
        var noise = Noise(seed: 5, sigma: 1)
        var scorer = trainedScorer(days: 3, noise: &noise)
        let observed = scorer.profile.observed
        let ts = t0 + 3 * day + hour
        let bad = scorer.score(10_000, usable: false, at: ts)!
        #expect(bad.surprise == 0)
        #expect(!bad.anomalous)
        #expect(bad.forecast.warmedUp)
        let empty = scorer.score(nil, usable: true, at: ts + minute)!
        #expect(empty.surprise == 0)
        #expect(!empty.anomalous)
        #expect(scorer.profile.observed == observed)
        #expect(scorer.lastTs == ts + minute)
        // The same wild value, usable, is scored and anomalous.
        let wild = scorer.score(10_000, usable: true, at: ts + 2 * minute)!
        #expect(wild.anomalous)
        #expect(scorer.profile.observed == observed + 1)
    }

    @Test func nothingIsAnomalousBeforeWarmUp() {
        var scorer = AnomalyScorer()
        let r = scorer.score(1e6, usable: true, at: t0)!
        #expect(!r.forecast.warmedUp)
        #expect(!r.anomalous)
        #expect(r.surprise == 0)
    }
}

/// A sensor reporting every 30 minutes: the profile takes 30-minute slots centred on its
/// points, so it warms up and follows a daily ramp without lagging it by half a slot.
@Suite struct CoarseCadenceTests {
    @Test func thirtyMinuteReadingsWarmUpAndFollowTheRamp() throws {
        var scorer = AnomalyScorer()
        let step: Int64 = 1_800_000
        let t0: Int64 = 1_704_067_200_000
        var worst = 0.0
        var warm = 0
        for i in 0..<(4 * 48) {
            let ts = t0 + Int64(i) * step
            let value = 100 + 50 * sin(2 * Double.pi * Double(i % 48) / 48)
            let scored = scorer.score(value, usable: true, at: ts)
            let result = try #require(scored)
            if result.forecast.warmedUp {
                warm += 1
                if i >= 3 * 48 { worst = max(worst, abs(result.forecast.mean - value)) }
            }
        }
        #expect(scorer.profile.config.slotMs == step)
        #expect(warm >= 2 * 48 - 1, "warmed up for \(warm) of the last 96 points")
        // Half a slot of lag on this ramp would be up to 50 × 2π × 15/1440 ≈ 3.3.
        #expect(worst < 0.01, "worst error \(worst)")
    }

    @Test func slotLengthsDivideADay() {
        #expect(AnomalyScorer.slotMs(forSpacing: 60_000) == 15 * 60_000)
        #expect(AnomalyScorer.slotMs(forSpacing: 25 * 60_000) == 30 * 60_000)
        #expect(AnomalyScorer.slotMs(forSpacing: 3_600_000) == 3_600_000)
        #expect(AnomalyScorer.slotMs(forSpacing: 12 * 3_600_000) == 15 * 60_000)  // a gap, not a cadence
    }
}
