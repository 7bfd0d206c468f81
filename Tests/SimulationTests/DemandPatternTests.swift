import Testing
@testable import Simulation

@Suite struct DemandPatternTests {
    private let minutes = (0..<1440).map { Double($0) / 60 }

    @Test func weekdayProfileAveragesOne() {
        let mean = minutes.map { DemandPattern.daily(hour: $0) }.reduce(0, +) / Double(minutes.count)
        #expect(abs(mean - 1) < 1e-9)
    }

    @Test func nightMinimumAroundThreeAndPeaksAtSevenAndNineteen() {
        func argmax(_ hours: [Double]) -> Double { hours.max { DemandPattern.daily(hour: $0) < DemandPattern.daily(hour: $1) }! }
        let night = minutes.min { DemandPattern.daily(hour: $0) < DemandPattern.daily(hour: $1) }!
        #expect((2.5...3.5).contains(night))
        #expect((6.5...7.5).contains(argmax(minutes.filter { $0 < 12 })))
        #expect((18.5...19.5).contains(argmax(minutes.filter { $0 > 15 })))
    }

    @Test func weekendDiffersModestly() {
        for weekday in 0..<7 {
            let factors = minutes.map { DemandPattern.weekly(weekday: weekday, hour: $0) }
            #expect(factors.allSatisfy { $0 >= 0.92 && $0 <= 1.08 }, "weekday \(weekday)")
            if weekday < 5 { #expect(factors.allSatisfy { $0 == 1 }, "weekday \(weekday)") }
        }
        #expect(DemandPattern.weekly(weekday: 5, hour: 7) < 1)
        #expect(DemandPattern.weekly(weekday: 6, hour: 10.5) > 1)
    }

    @Test func calendarOfTheDefaultStart() {
        #expect(SimTime.weekday(SimulationConfig.defaultStartMs) == 0)  // Monday
        #expect(SimTime.hourOfDay(SimulationConfig.defaultStartMs + 7 * 3_600_000) == 7)
    }
}
