import Cleaning
import Foundation

// MARK: 4. Cleaning, the pure module on one core

/// A pressure-like series with noise, a spike every 500 readings and a missing reading
/// every 250: the cleaner does every step (resampling, interpolation, Hampel, stuck
/// check, smoothing) on it.
func benchSeries(sensor: Int, count: Int, startMs: Int64) -> [RawSample] {
    var state = UInt64(sensor &+ 1) &* 0x9E37_79B9_7F4A_7C15
    return (0..<count).compactMap { i in
        if i % 250 == 249 { return nil }
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let noise = Double(state >> 11) / Double(1 << 53) - 0.5
        var value = 3.5 + 0.4 * sin(Double(i) / 180) + 0.02 * noise
        if i % 500 == 123 { value += 2 }
        return RawSample(tsMs: startMs + Int64(i) * 60_000, value: value)
    }
}

/// Points per second through `SeriesCleaner` on this thread: `sensors` series of
/// `readings` each, fed in batches of `batch` readings per sensor, round-robin, as the
/// service feeds them. Counts readings in; every slot comes out once (plus corrections).
func benchCleaningThroughput(sensors: Int = 1000, readings: Int = 2000, batch: Int = 10) {
    let config = CleaningConfig(cadenceMs: 60_000, maxFillSteps: 5, minValue: 0, maxValue: 20, stuckSteps: 60, aggregation: .median)
    let series = (0..<sensors).map { benchSeries(sensor: $0, count: readings, startMs: 1_790_000_000_000) }
    var cleaners = [SeriesCleaner](repeating: SeriesCleaner(config: config), count: sensors)
    let total = series.reduce(0) { $0 + $1.count }
    var produced = 0
    var spikes = 0
    let started = ContinuousClock.now
    var offset = 0
    while offset < readings {
        for s in 0..<sensors {
            let slice = series[s][min(offset, series[s].count)..<min(offset + batch, series[s].count)]
            for p in cleaners[s].add(Array(slice)) {
                produced += 1
                if p.flags.contains(.spike) { spikes += 1 }
            }
        }
        offset += batch
    }
    for s in 0..<sensors { produced += cleaners[s].finish().count }
    let elapsed = seconds(ContinuousClock.now - started)
    print(String(format: "cleaning (pure, 1 core): %d readings of %d sensors in batches of %d -> %d points out (%d spikes) in %.2f s: %.0f readings/s",
                 total, sensors, batch, produced, spikes, elapsed, Double(total) / elapsed))
}

/// Memory per sensor of the cleaning state for `sensors` sensors, each after an hour
/// of readings (its windows full): the growth of the process's resident memory.
func benchCleaningState(sensors: Int = 100_000, halfWidth: Int = CleaningConfig.defaultSpikeHalfWidth) {
    let config = CleaningConfig(cadenceMs: 60_000, maxFillSteps: 5, minValue: 0, maxValue: 20, stuckSteps: 60, aggregation: .median, spikeHalfWidth: halfWidth)
    // One input for every sensor, made before measuring: only the state is counted.
    let input = benchSeries(sensor: 0, count: 60, startMs: 1_790_000_000_000)
    let before = heapInUse()
    var cleaners: [String: SeriesCleaner] = [:]
    for s in 0..<sensors {
        var cleaner = SeriesCleaner(config: config)
        _ = cleaner.add(input)
        cleaners["sensor-\(s)"] = cleaner
    }
    let after = heapInUse()
    let perSensor = Double(after - before) / Double(sensors)
    print(String(format: "cleaning state: %d sensors after 60 readings each: %.1f MiB, %.0f bytes per sensor (sensor id and dictionary slot included)",
                 sensors, Double(after - before) / 1_048_576, perSensor))
    withExtendedLifetime(cleaners) {}
}

/// Resident memory of the process in bytes (/proc/self/statm).
func heapInUse() -> Int {
    let statm = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? ""
    let pages = statm.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

func printCleaningLayout() {
    print("layout: SeriesCleaner \(MemoryLayout<SeriesCleaner>.size) B, SensorCleaner \(MemoryLayout<SensorCleaner>.size) B, CleaningConfig \(MemoryLayout<CleaningConfig>.size) B, HampelFilter \(MemoryLayout<HampelFilter>.size) B, CleanSample \(MemoryLayout<CleanSample>.stride) B, RawSample \(MemoryLayout<RawSample>.stride) B")
}
