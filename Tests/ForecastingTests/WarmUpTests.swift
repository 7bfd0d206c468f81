import Foundation
import Testing
@testable import Forecasting

/// A scorer warmed up from the stored history after a restart (or a takeover) must score
/// as the one that never stopped, or the events after the restart differ: L-Town through
/// the services, stopped mid-import and started again, gave 451 of 507 events equal with
/// a warm-up of 8 days.
@Suite struct WarmUpTests {
    static let step: Int64 = 300_000
    static let day: Int64 = 86_400_000
    static let start: Int64 = 1_704_067_200_000  // a Monday, midnight UTC

    /// A daily cycle, weekends lower, noise, and six hours of a shifted level on day 38, the day before the restart.
    static func value(_ ts: Int64, _ noise: inout UInt64) -> Double {
        noise = noise &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let jitter = Double(noise >> 11) / Double(1 << 53) - 0.5
        let dayIndex = (ts - start) / day
        let phase = Double((ts - start) % day) / Double(day)
        let weekend = (dayIndex % 7) >= 5 ? -12.0 : 0
        let shifted = ts >= start + 38 * day + 10 * 3_600_000 && ts < start + 38 * day + 16 * 3_600_000 ? 25.0 : 0
        return 100 + 30 * sin(2 * Double.pi * phase) + weekend + shifted + 2 * jitter
    }

    /// The results of scoring days 39–42 without a stop, and after a restart at day 39
    /// that warmed a new scorer on the `warmUpDays` before it.
    static func run(warmUpDays: Int) -> (continuous: [AnomalyScorer.Result], restarted: [AnomalyScorer.Result]) {
        var noise: UInt64 = 7
        let split = start + 39 * day
        let series = stride(from: start, to: start + 42 * day, by: Int(step)).map { ts in (ts, value(ts, &noise)) }
        var continuous = AnomalyScorer()
        var restarted = AnomalyScorer()
        var a: [AnomalyScorer.Result] = []
        var b: [AnomalyScorer.Result] = []
        for (ts, v) in series {
            let result = continuous.score(v, usable: true, at: ts)
            if ts >= split, let result { a.append(result) }
            if ts >= split - Int64(warmUpDays) * day && ts < split { restarted.warm(v, at: ts) }
            if ts >= split, let r = restarted.score(v, usable: true, at: ts) { b.append(r) }
        }
        return (a, b)
    }

    static func same(_ x: AnomalyScorer.Result, _ y: AnomalyScorer.Result) -> Bool {
        func close(_ p: Double, _ q: Double) -> Bool { abs(p - q) <= 1e-9 * max(1, abs(p)) }
        return x.anomalous == y.anomalous && close(x.surprise, y.surprise) && close(x.forecast.mean, y.forecast.mean)
            && close(x.forecast.lower, y.forecast.lower) && close(x.forecast.upper, y.forecast.upper)
    }

    @Test func fiveWeeksOfWarmUpScoreAsIfNeverStopped() {
        let memory = AnomalyScorer().memoryDays
        #expect(memory == 28)
        let (continuous, restarted) = Self.run(warmUpDays: memory + 7)
        #expect(continuous.count == 3 * 288 && restarted.count == continuous.count)
        let differing = zip(continuous, restarted).filter { !Self.same($0, $1) }.count
        #expect(differing == 0, "\(differing) of \(continuous.count) results differ")
    }

    @Test func aWarmUpShorterThanTheProfilesMemoryScoresDifferently() {
        let (continuous, restarted) = Self.run(warmUpDays: 8)
        let differing = zip(continuous, restarted).filter { !Self.same($0, $1) }.count
        #expect(differing > continuous.count / 2, "\(differing) of \(continuous.count) results differ")
    }
}
