import Foundation

/// The ground-truth events injected into a simulated scenario, each with its label.
///
/// Days count from 1 (the first day of the scenario, or the day of `eventsStartMs`); with
/// the default start, a Monday, all events fall on weekdays and none in the first two days,
/// so a model warmed up on days 1–2 sees all of them:
///
/// - `data_gap`: day 3, 14:00–17:00, the 4th pressure sensor of the first zone sends nothing;
/// - `leak`: from day 4, 02:00, a slow leak at the 2nd pressure node of the second zone grows
///   linearly over 24 h to 20–24 % of the zone's mean inflow and stays until the end of day 6;
/// - `sensor_fault`: day 4, 08:00–14:00, the 3rd pressure sensor of the third zone is stuck
///   at its last value;
/// - `burst`: day 5, 10:00–13:00, an abrupt leak of 38–46 % of the first zone's mean inflow
///   at its 3rd pressure node.
///
/// Events that start after the scenario ends are left out; those that run past it are cut.
struct EventPlan {
    enum Effect {
        /// Extra outflow at a node: `flow` m³/h, reached linearly over `rampMs` (0: at once).
        case leak(zone: Int, position: SyntheticNetwork.Point, flow: Double, rampMs: Int64)
        /// The sensor repeats its last value.
        case stuck(sensorIndex: Int)
        /// The sensor sends nothing.
        case silent(sensorIndex: Int)
    }

    struct Event {
        var effect: Effect
        var label: ScenarioLabel
    }

    private(set) var events: [Event] = []

    /// The labels of all events, by start time.
    var labels: [ScenarioLabel] { events.map(\.label) }

    /// No events at all.
    init() {}

    init(config: SimulationConfig, network: SyntheticNetwork) {
        var rng = SeededGenerator(seed: config.seed, stream: 2)
        let zones = network.zones
        let endOfScenario = config.startMs + Int64(config.days) * SimTime.dayMs
        func at(day: Int, hour: Double) -> Int64 {
            (config.eventsStartMs ?? config.startMs) + Int64(day - 1) * SimTime.dayMs + Int64(hour * Double(SimTime.hourMs))
        }
        func site(_ zone: Int, _ ordinal: Int) -> SyntheticNetwork.PressureSite {
            let sites = zones[zone].pressureSites
            return sites[min(ordinal, sites.count) - 1]
        }
        var planned: [Event] = []

        let gapZone = 0
        let gapSite = site(gapZone, 4)
        planned.append(Event(
            effect: .silent(sensorIndex: gapSite.sensorIndex),
            label: ScenarioLabel(
                type: "data_gap", startMs: at(day: 3, hour: 14), endMs: at(day: 3, hour: 17),
                zone: zones[gapZone].id, sensorId: network.sensors[gapSite.sensorIndex].sensorId)))

        let leakZone = 1 % zones.count
        let leakSite = site(leakZone, 2)
        let leakFlow = Self.round2(zones[leakZone].baseFlow * rng.nextDouble(in: 0.20...0.24))
        planned.append(Event(
            effect: .leak(zone: leakZone, position: leakSite.position, flow: leakFlow, rampMs: SimTime.dayMs),
            label: ScenarioLabel(
                type: "leak", startMs: at(day: 4, hour: 2), endMs: at(day: 7, hour: 0),
                zone: zones[leakZone].id, nodeId: leakSite.nodeId, leakFlowM3h: leakFlow)))

        let faultZone = 2 % zones.count
        let faultSite = site(faultZone, 3)
        planned.append(Event(
            effect: .stuck(sensorIndex: faultSite.sensorIndex),
            label: ScenarioLabel(
                type: "sensor_fault", startMs: at(day: 4, hour: 8), endMs: at(day: 4, hour: 14),
                zone: zones[faultZone].id, sensorId: network.sensors[faultSite.sensorIndex].sensorId)))

        let burstZone = 0
        let burstSite = site(burstZone, 3)
        let burstFlow = Self.round2(zones[burstZone].baseFlow * rng.nextDouble(in: 0.38...0.46))
        planned.append(Event(
            effect: .leak(zone: burstZone, position: burstSite.position, flow: burstFlow, rampMs: 0),
            label: ScenarioLabel(
                type: "burst", startMs: at(day: 5, hour: 10), endMs: at(day: 5, hour: 13),
                zone: zones[burstZone].id, nodeId: burstSite.nodeId, leakFlowM3h: burstFlow)))

        for var event in planned where event.label.startMs < endOfScenario {
            event.label.endMs = min(event.label.endMs, endOfScenario)
            if case .leak(_, _, let flow, let rampMs) = event.effect, rampMs > 0 {
                let grown = Double(event.label.endMs - event.label.startMs) / Double(rampMs)
                event.label.leakFlowM3h = Self.round2(flow * min(1, grown))
            }
            events.append(event)
        }
        events.sort { $0.label.startMs < $1.label.startMs }
    }

    // MARK: - Effects at a time

    /// Total leak and burst flow in `zone` at `tsMs`, in m³/h.
    func leakFlow(zone: Int, at tsMs: Int64) -> Double {
        var total = 0.0
        for event in events {
            if case .leak(let z, _, let flow, let rampMs) = event.effect, z == zone {
                total += Self.flow(flow, rampMs, event.label, tsMs)
            }
        }
        return total
    }

    /// Local pressure drop at `site` of `zone` from nearby leaks at `tsMs`, in bar (on top of
    /// the extra head loss the leak flow causes in the whole zone).
    func localLeakDrop(at site: SyntheticNetwork.PressureSite, zone: Int, tsMs: Int64) -> Double {
        var drop = 0.0
        for event in events {
            if case .leak(let z, let position, let flow, let rampMs) = event.effect, z == zone {
                let current = Self.flow(flow, rampMs, event.label, tsMs)
                guard current > 0 else { continue }
                let closeness = exp(-site.position.distance(to: position) / SyntheticNetwork.leakInfluenceMetres)
                drop += SyntheticNetwork.leakDropPerM3h * current * closeness
            }
        }
        return drop
    }

    /// Whether the sensor sends nothing at `tsMs`.
    func isSilent(sensorIndex: Int, at tsMs: Int64) -> Bool {
        events.contains { event in
            if case .silent(let s) = event.effect { return s == sensorIndex && event.label.contains(tsMs) }
            return false
        }
    }

    /// Whether the sensor is stuck at its last value at `tsMs`.
    func isStuck(sensorIndex: Int, at tsMs: Int64) -> Bool {
        events.contains { event in
            if case .stuck(let s) = event.effect { return s == sensorIndex && event.label.contains(tsMs) }
            return false
        }
    }

    private static func flow(_ flow: Double, _ rampMs: Int64, _ label: ScenarioLabel, _ tsMs: Int64) -> Double {
        guard label.contains(tsMs) else { return 0 }
        guard rampMs > 0 else { return flow }
        return flow * min(1, Double(tsMs - label.startMs) / Double(rampMs))
    }

    private static func round2(_ value: Double) -> Double {
        (value * 100).rounded() / 100
    }
}
