/// Turns readings in perfect time order into what devices really deliver: a few rows sent
/// twice, and a handful of rows arriving a few steps late, after newer rows.
struct TransmissionImperfections {
    /// Share of rows sent twice in a row (same sensor, timestamp and value).
    var duplicateRate: Double
    /// Number of rows delivered late.
    var lateRows: Int
    /// Largest delay of a late row, in steps (the smallest is 2).
    var maxLateSteps: Int
    var stepMs: Int64

    /// Applies the imperfections to `rows`, which must be ordered by timestamp.
    func apply(to rows: [ScenarioReading], rng: inout SeededGenerator) -> [ScenarioReading] {
        let delays = chooseLateRows(rows, rng: &rng)
        var output: [ScenarioReading] = []
        output.reserveCapacity(rows.count + Int(Double(rows.count) * duplicateRate * 2) + 16)
        var pending: [(row: ScenarioReading, releaseMs: Int64)] = []
        for (index, row) in rows.enumerated() {
            if !pending.isEmpty, pending[0].releaseMs < row.tsMs {
                // Late rows go out after every row of their release time.
                output.append(contentsOf: pending.lazy.filter { $0.releaseMs < row.tsMs }.map(\.row))
                pending.removeAll { $0.releaseMs < row.tsMs }
            }
            if let delay = delays[index] {
                pending.append((row, row.tsMs + Int64(delay) * stepMs))
                pending.sort { $0.releaseMs < $1.releaseMs }
                continue
            }
            output.append(row)
            if duplicateRate > 0, rng.nextUnit() < duplicateRate {
                output.append(row)
            }
        }
        output.append(contentsOf: pending.map(\.row))
        return output
    }

    /// Picks up to `lateRows` distinct rows (none in the last `maxLateSteps` steps) and their
    /// delays in steps.
    private func chooseLateRows(_ rows: [ScenarioReading], rng: inout SeededGenerator) -> [Int: Int] {
        guard lateRows > 0, maxLateSteps >= 2, let last = rows.last else { return [:] }
        let cutoff = last.tsMs - Int64(maxLateSteps) * stepMs
        let eligible = rows.partitioningIndex { $0.tsMs > cutoff }
        guard eligible > 0 else { return [:] }
        var delays: [Int: Int] = [:]
        var attempts = 0
        while delays.count < min(lateRows, eligible), attempts < lateRows * 100 {
            attempts += 1
            let index = rng.nextInt(below: eligible)
            if delays[index] == nil {
                delays[index] = 2 + rng.nextInt(below: maxLateSteps - 1)
            }
        }
        return delays
    }
}

extension Array {
    /// The index of the first element for which `belongsToSecondPart` is true, for an array
    /// already partitioned by it (binary search).
    fileprivate func partitioningIndex(where belongsToSecondPart: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if belongsToSecondPart(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
