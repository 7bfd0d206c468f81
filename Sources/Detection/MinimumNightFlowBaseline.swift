/// The minimum-night-flow detector LeakDB ships as its baseline: each day's minimum inflow
/// is compared with the smallest daily minimum of the last `windowDays` days that were
/// not alarmed; a day whose minimum exceeds it by more than `gamma` of it is alarmed in
/// full (all its steps, including those before its minimum was seen: it is not causal).
/// The first `windowDays` days are never alarmed.
public struct MinimumNightFlowBaseline: Sendable {
    public var windowDays = 10
    public var gamma = 0.1

    public init(windowDays: Int = 10, gamma: Double = 0.1) {
        self.windowDays = windowDays
        self.gamma = gamma
    }

    /// `inflow` per step (nil where missing); one alarm per step.
    public func alarms(inflow: [Double?], stepsPerDay: Int) -> [Bool] {
        let days = (inflow.count + stepsPerDay - 1) / stepsPerDay
        let minima: [Double?] = (0..<days).map { d in
            inflow[(d * stepsPerDay)..<min(inflow.count, (d + 1) * stepsPerDay)].compactMap { $0 }.min()
        }
        var window = Array(minima.prefix(windowDays))
        var out = Array(repeating: false, count: inflow.count)
        for d in windowDays..<max(windowDays, days) {
            guard let today = minima[d], let reference = window.compactMap({ $0 }).min() else { continue }
            if today - reference > reference * gamma {
                for i in (d * stepsPerDay)..<min(inflow.count, (d + 1) * stepsPerDay) { out[i] = true }
            } else {
                window.append(today)
                window.removeFirst()
            }
        }
        return out
    }
}
