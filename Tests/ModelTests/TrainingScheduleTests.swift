import Testing
@testable import Model

@Suite struct TrainingScheduleTests {
    private let day: Int64 = 86_400_000
    private let hour: Int64 = 3_600_000

    @Test func parsesTheThreeForms() {
        #expect(TrainingSchedule("daily 02:00") == .daily(minuteOfDay: 120))
        #expect(TrainingSchedule("every 6h") == .every(ms: 6 * hour))
        #expect(TrainingSchedule("every 30m") == .every(ms: 1_800_000))
        #expect(TrainingSchedule("off") == .off)
        for bad in ["", "daily", "daily 25:00", "daily 2", "every", "every 0h", "every 5x", "weekly 02:00", "off now"] {
            #expect(TrainingSchedule(bad) == nil, "'\(bad)'")
        }
    }

    @Test func nextStartIsStrictlyLater() {
        let midnight: Int64 = 1_790_000_000_000 - 1_790_000_000_000 % day
        let daily = TrainingSchedule.daily(minuteOfDay: 120)
        #expect(daily.next(after: midnight) == midnight + 2 * hour)
        #expect(daily.next(after: midnight + 2 * hour) == midnight + day + 2 * hour)
        let every = TrainingSchedule.every(ms: 6 * hour)
        #expect(every.next(after: midnight + 5 * hour) == midnight + 6 * hour)
        #expect(every.next(after: midnight + 6 * hour) == midnight + 12 * hour)
        #expect(every.next(after: midnight + 23 * hour) == midnight + day)
        #expect(TrainingSchedule.every(ms: 7 * hour).next(after: midnight + 22 * hour) == midnight + day)
        #expect(TrainingSchedule.off.next(after: midnight) == nil)
    }
}
