import Foundation

/// Relative water demand of a residential zone over the day and the week.
///
/// The weekday profile has its minimum around 03:00, a morning peak at 07:00 and an evening
/// peak at 19:00, and averages 1 over the day, so `base × factor` has mean `base`. Weekends
/// differ modestly (a later, flatter morning), never by more than 8 % from a weekday.
enum DemandPattern {
    /// Demand factor at `tsMs`: daily profile × weekly factor.
    static func factor(at tsMs: Int64) -> Double {
        let hour = SimTime.hourOfDay(tsMs)
        return daily(hour: hour) * weekly(weekday: SimTime.weekday(tsMs), hour: hour)
    }

    /// Weekday profile at `hour` (0 ..< 24), normalised to a daily mean of 1.
    static func daily(hour: Double) -> Double {
        rawDaily(hour) / dailyMean
    }

    /// Weekend adjustment: 1 on Monday–Friday, within `[0.92, 1.08]` on Saturday and Sunday.
    static func weekly(weekday: Int, hour: Double) -> Double {
        switch weekday {
        case 5:  // Saturday: people sleep in, then demand spreads over the late morning
            return 1.02 - 0.07 * bump(hour, at: 7, width: 1.2) + 0.05 * bump(hour, at: 10, width: 2)
        case 6:  // Sunday: a little lower overall, the same later morning
            return 0.99 - 0.07 * bump(hour, at: 7, width: 1.2) + 0.06 * bump(hour, at: 10.5, width: 2)
        default:
            return 1
        }
    }

    private static func rawDaily(_ hour: Double) -> Double {
        0.42
            - 0.08 * bump(hour, at: 3.3, width: 1.3)
            + 1.00 * bump(hour, at: 7, width: 1.3)
            + 0.45 * bump(hour, at: 12.5, width: 2.6)
            + 0.80 * bump(hour, at: 19, width: 1.8)
    }

    private static let dailyMean: Double = {
        let samples = 1440
        var sum = 0.0
        for minute in 0..<samples { sum += rawDaily(Double(minute) / 60) }
        return sum / Double(samples)
    }()

    /// A Gaussian bump centred on `center` hours, on the 24-hour circle.
    private static func bump(_ hour: Double, at center: Double, width: Double) -> Double {
        var distance = abs(hour - center)
        if distance > 12 { distance = 24 - distance }
        return exp(-0.5 * (distance / width) * (distance / width))
    }
}
