/// Calendar arithmetic on epoch milliseconds (UTC): the synthetic city lives on UTC.
enum SimTime {
    static let hourMs: Int64 = 3_600_000
    static let dayMs: Int64 = 86_400_000

    /// Hour of the day in `[0, 24)`.
    static func hourOfDay(_ tsMs: Int64) -> Double {
        Double(floorMod(tsMs, dayMs)) / Double(hourMs)
    }

    /// Day of the week, 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
    static func weekday(_ tsMs: Int64) -> Int {
        Int(floorMod(floorDiv(tsMs, dayMs) + 3, 7))
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        a - floorDiv(a, b) * b
    }
}
