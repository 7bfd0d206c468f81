import Foundation

/// Generates a synthetic scenario: a small city's water network with three or more zones,
/// a week of one-minute readings, injected leaks, a burst, a sensor fault and a data gap,
/// and the labels that say where and when they are.
///
/// Physics, kept simple but coherent:
/// - zone demand = base × daily profile × weekend factor × (1 + correlated noise, ~1.5 %);
/// - inlet flow = demand + leak flow, measured with ~1 % noise;
/// - pressure = static head − k × inflow² − local drop near an active leak, ± ~0.012 bar;
/// - a bulk customer meter sees a share of the demand (not the leak);
/// - the tank fills at night and draws down by day.
///
/// The output depends only on the configuration: the same seed gives the same scenario,
/// byte for byte.
public enum Simulator {
    /// Runs the simulation described by `config`.
    public static func run(_ config: SimulationConfig) -> Scenario {
        precondition(config.days >= 1, "days must be at least 1")
        precondition(config.stepMs > 0, "stepMs must be positive")
        let network = SyntheticNetwork(config: config)
        let plan = config.injectEvents ? EventPlan(config: config, network: network) : EventPlan()
        let ordered = readingsInTimeOrder(config: config, network: network, plan: plan)
        var rng = SeededGenerator(seed: config.seed, stream: 3)
        let imperfections = TransmissionImperfections(
            duplicateRate: config.duplicateRate, lateRows: config.lateRows,
            maxLateSteps: config.maxLateSteps, stepMs: config.stepMs)
        let meta = ScenarioMeta(
            name: config.name,
            description: describe(config: config, network: network, plan: plan),
            startMs: config.startMs, stepMs: config.stepMs, tariffPerM3: config.tariffPerM3,
            zones: network.zones.map {
                ScenarioZone(id: $0.id, name: $0.name, inletSensors: [network.sensors[$0.inletSensorIndex].sensorId])
            })
        return Scenario(
            meta: meta, sensors: network.sensors,
            readings: imperfections.apply(to: ordered, rng: &rng), labels: plan.labels)
    }

    // MARK: - Time loop

    private static func readingsInTimeOrder(
        config: SimulationConfig, network: SyntheticNetwork, plan: EventPlan
    ) -> [ScenarioReading] {
        let sensorCount = network.sensors.count
        let ids = network.sensors.map(\.sensorId)
        // One random stream per zone (demand) and per sensor (measurement noise), so that
        // injecting an event never changes the noise anywhere else.
        var demandRng = network.zones.indices.map { SeededGenerator(seed: config.seed, stream: 100 + UInt64($0)) }
        var noiseRng = (0..<sensorCount).map { SeededGenerator(seed: config.seed, stream: 1000 + UInt64($0)) }
        let demandNoise = 0.015
        let persistence = exp(-Double(config.stepMs) / (20 * 60_000.0))  // ~20-minute memory
        let innovation = demandNoise * (1 - persistence * persistence).squareRoot()
        var demandDeviation = network.zones.indices.map { _ in 0.0 }
        var tankDeviation = 0.0

        var values = [Double](repeating: 0, count: sensorCount)
        var last = [Double?](repeating: nil, count: sensorCount)
        var rows: [ScenarioReading] = []
        rows.reserveCapacity(config.steps * sensorCount)

        for step in 0..<config.steps {
            let ts = config.startMs + Int64(step) * config.stepMs
            let pattern = DemandPattern.factor(at: ts)
            for (z, zone) in network.zones.enumerated() {
                demandDeviation[z] = persistence * demandDeviation[z] + innovation * demandRng[z].nextGaussian()
                let demand = zone.baseFlow * pattern * (1 + demandDeviation[z])
                let inflow = demand + plan.leakFlow(zone: z, at: ts)
                values[zone.inletSensorIndex] = inflow * (1 + 0.01 * noiseRng[zone.inletSensorIndex].nextGaussian())
                for site in zone.pressureSites {
                    values[site.sensorIndex] = site.staticHead
                        - site.headlossCoefficient * inflow * inflow
                        - plan.localLeakDrop(at: site, zone: z, tsMs: ts)
                        + 0.012 * noiseRng[site.sensorIndex].nextGaussian()
                }
                values[zone.meterSensorIndex] = zone.meterShare * demand
                    * (1 + 0.03 * noiseRng[zone.meterSensorIndex].nextGaussian())
            }
            tankDeviation = persistence * tankDeviation + 0.02 * (1 - persistence * persistence).squareRoot()
                * noiseRng[network.tankSensorIndex].nextGaussian()
            values[network.tankSensorIndex] = tankLevel(at: ts, mean: network.tankMeanLevel) + tankDeviation
                + 0.005 * noiseRng[network.tankSensorIndex].nextGaussian()

            for s in 0..<sensorCount {
                if plan.isSilent(sensorIndex: s, at: ts) { continue }
                let sensor = network.sensors[s]
                var value = rounded(Swift.min(Swift.max(values[s], sensor.min), sensor.max))
                if let previous = last[s], plan.isStuck(sensorIndex: s, at: ts) { value = previous }
                last[s] = value
                rows.append(ScenarioReading(sensorId: ids[s], tsMs: ts, value: value))
            }
        }
        return rows
    }

    /// Tank level in metres: highest around 05:30 after filling overnight, lowest in the
    /// evening.
    private static func tankLevel(at tsMs: Int64, mean: Double) -> Double {
        let phase = 2 * Double.pi * (SimTime.hourOfDay(tsMs) - 5.5) / 24
        return mean + 1.3 * cos(phase) + 0.25 * cos(2 * phase)
    }

    /// Rounds to the 4 decimals `readings.csv` keeps, so a scenario read back from its folder
    /// equals the one written.
    private static func rounded(_ value: Double) -> Double {
        (value * 10_000).rounded() / 10_000
    }

    private static func describe(config: SimulationConfig, network: SyntheticNetwork, plan: EventPlan) -> String {
        var text = "Synthetic water network of a small city: \(network.zones.count) zones, "
            + "\(network.sensors.count) sensors, \(config.days) days, one reading every \(stepText(config.stepMs)), "
            + "seed \(config.seed)."
        if !plan.events.isEmpty {
            let events = plan.labels.map { label in
                "\(label.type) (\([label.zone, label.nodeId ?? label.sensorId].compactMap { $0 }.joined(separator: " ")))"
            }
            text += " Injected: " + events.joined(separator: ", ") + "."
        }
        return text
    }

    private static func stepText(_ stepMs: Int64) -> String {
        stepMs % 1000 == 0 ? "\(stepMs / 1000) s" : "\(stepMs) ms"
    }
}
