/// When training runs start by themselves (`WATERLINE_TRAIN_SCHEDULE`):
/// - `daily HH:MM` (UTC), the default being `daily 02:00`;
/// - `every N(m|h|d)`, counted from the start of the UTC day (`every 6h`: 00:00, 06:00, …);
/// - `off`: only when asked (`TriggerTraining`).
public enum TrainingSchedule: Sendable, Equatable {
    case daily(minuteOfDay: Int)
    case every(ms: Int64)
    case off

    public static let `default` = TrainingSchedule.daily(minuteOfDay: 120)

    /// Parses the variable's value; nil when it is not one of the forms above.
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: " ").map(String.init)
        switch parts.first {
        case "off" where parts.count == 1:
            self = .off
        case "daily" where parts.count == 2:
            let hm = parts[1].split(separator: ":").compactMap { Int($0) }
            guard hm.count == 2, (0..<24).contains(hm[0]), (0..<60).contains(hm[1]) else { return nil }
            self = .daily(minuteOfDay: hm[0] * 60 + hm[1])
        case "every" where parts.count == 2:
            let unit = parts[1].last
            guard let n = Int64(parts[1].dropLast()), n > 0 else { return nil }
            switch unit {
            case "m": self = .every(ms: n * 60_000)
            case "h": self = .every(ms: n * 3_600_000)
            case "d": self = .every(ms: n * 86_400_000)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// The first start strictly after `nowMs`, or nil when off.
    public func next(after nowMs: Int64) -> Int64? {
        let day: Int64 = 86_400_000
        let dayStart = nowMs - ((nowMs % day) + day) % day
        switch self {
        case .off:
            return nil
        case .daily(let minute):
            let today = dayStart + Int64(minute) * 60_000
            return today > nowMs ? today : today + day
        case .every(let period):
            let since = nowMs - dayStart
            var next = dayStart + (since / period + 1) * period
            if next > dayStart + day && period < day { next = dayStart + day }
            return next
        }
    }
}
