/// What ``Simulator`` generates: how long, how often, which network size, which seed.
public struct SimulationConfig: Sendable, Equatable {
    /// Number of simulated days.
    public var days: Int
    /// Interval between two readings of one sensor, in milliseconds.
    public var stepMs: Int64
    /// Start of the first day, milliseconds since the epoch (UTC). The default,
    /// 2026-11-02T00:00:00Z, is a Monday, so the injected events fall on weekdays.
    public var startMs: Int64
    /// Seed of every random draw; the same configuration always gives the same scenario.
    public var seed: UInt64
    /// Number of zones (`north`, `east`, `south`, `west`, `central`, then `zone-6`, ...).
    public var zones: Int
    /// Pressure sensors per zone.
    public var pressureSensorsPerZone: Int
    /// Scenario name written to `scenario.json`.
    public var name: String
    /// Price of one cubic metre of water.
    public var tariffPerM3: Double
    /// Whether to inject the burst, slow leak, sensor fault and data gap (and label them).
    public var injectEvents: Bool
    /// Share of rows a device sends twice (same sensor, timestamp and value).
    public var duplicateRate: Double
    /// Number of rows that arrive a few steps late, out of order.
    public var lateRows: Int
    /// Largest delay of a late row, in steps (the smallest is 2).
    public var maxLateSteps: Int
    /// Where the injected events' days count from (nil: `startMs`). The demo simulates
    /// weeks of history before its week of events and places them in that week.
    public var eventsStartMs: Int64?

    /// 2026-11-02T00:00:00Z, a Monday.
    public static let defaultStartMs: Int64 = 1_793_577_600_000

    /// Creates a configuration; every parameter has a sensible default (a 7-day week at
    /// one-minute steps, 3 zones of 5 pressure sensors, seed 42).
    public init(
        days: Int = 7,
        stepMs: Int64 = 60_000,
        startMs: Int64 = SimulationConfig.defaultStartMs,
        seed: UInt64 = 42,
        zones: Int = 3,
        pressureSensorsPerZone: Int = 5,
        name: String = "synthetic-week",
        tariffPerM3: Double = 1.85,
        injectEvents: Bool = true,
        duplicateRate: Double = 0.001,
        lateRows: Int = 8,
        maxLateSteps: Int = 5,
        eventsStartMs: Int64? = nil
    ) {
        self.days = days
        self.stepMs = stepMs
        self.startMs = startMs
        self.seed = seed
        self.zones = zones
        self.pressureSensorsPerZone = pressureSensorsPerZone
        self.name = name
        self.tariffPerM3 = tariffPerM3
        self.injectEvents = injectEvents
        self.duplicateRate = duplicateRate
        self.lateRows = lateRows
        self.maxLateSteps = maxLateSteps
        self.eventsStartMs = eventsStartMs
    }

    /// Number of reading slots per sensor.
    var steps: Int { Int(Int64(days) * SimTime.dayMs / stepMs) }
}
