import Foundation
import Simulation
import WaterlineKit

/// Streams history files into ingest for `waterline import`: reads a file a line at a
/// time (``HistoryCSV``) and sends it a window of whole hours at a time, every sensor's
/// readings of those hours in one batch sorted by sensor and time (so each batch fills
/// its sensors' hour buckets in one write each, and every sensor's stream ends the batch
/// at the same time, as it would live: no sensor runs days ahead of another). A window
/// is as many hours as fit in `batchSize` (an hour too big for one batch is split). After
/// each acknowledged window it records how far the file got (``ImportProgress``), from
/// where a second run goes on.
struct HistoryImporter {
    let replayer: Replayer
    let progressDirectory: URL
    var batchSize = 10_000
    var flushReadings = 200_000
    /// Send a file again even if a run before finished it.
    var again = false

    /// What an import sent, and how long it took.
    struct Totals {
        var stats = Replayer.Stats()
        var seconds = 0.0
    }

    /// Imports one file; returns what was sent now (nothing for a file finished before).
    func importFile(_ file: URL, name: String) async throws -> Totals {
        var totals = Totals()
        let started = ContinuousClock.now
        var progress = try (again ? nil : ImportProgress.load(file, in: progressDirectory)) ?? ImportProgress.start(file)
        if progress.complete {
            print("\(name): imported by an earlier run (\(progress.readingsSent) readings); --again sends it again")
            return totals
        }
        let reader = try LineReader(url: file)
        guard let header = try reader.nextLine() else { throw ImportError("\(file.path): the file is empty") }
        let csv = try HistoryCSV(header: String(header), file: name)
        var line = 0
        while line < progress.linesDone, try reader.nextLine() != nil { line += 1 }
        if progress.linesDone > 0 {
            print("\(name): going on after line \(progress.linesDone + 1) (\(progress.readingsSent) readings sent by an earlier run)")
        }
        let status = ImportStatusLine(name: name, total: reader.totalBytes)
        // Readings by hour, with the first line each hour's readings came from.
        var hours: [Int64: (firstLine: Int, readings: [(offset: Int, reading: ScenarioReading)])] = [:]
        var buffered = 0
        var order = 0
        func send(_ window: [ScenarioReading]) async throws {
            guard !window.isEmpty else { return }
            totals.stats.add(try await replayer.replay(window, batchSize: batchSize))
            progress.readingsSent += window.count
        }
        /// Sends the hours before `beforeHour` (all with nil), oldest first, packed into
        /// windows of at most `batchSize`; after each window, saves how far the file got.
        func flush(before beforeHour: Int64?) async throws {
            let due = hours.keys.filter { beforeHour == nil || $0 < beforeHour! }.sorted()
            var window: [(offset: Int, reading: ScenarioReading)] = []
            var windowHours: [Int64] = []
            func sendWindow() async throws {
                try await send(Self.bySensorAndTime(window))
                for hour in windowHours { hours[hour] = nil }
                buffered -= window.count
                window.removeAll(keepingCapacity: true)
                windowHours.removeAll()
                progress.linesDone = (hours.values.map(\.firstLine).min() ?? (line + 1)) - 1
                try progress.save(in: progressDirectory)
                status.update(bytes: reader.bytesRead, readings: totals.stats.sent, since: started)
            }
            for hour in due {
                let readings = hours[hour]!.readings
                if !window.isEmpty && window.count + readings.count > batchSize { try await sendWindow() }
                window += readings
                windowHours.append(hour)
            }
            if !window.isEmpty { try await sendWindow() }
        }
        while let text = try reader.nextLine() {
            line += 1
            for reading in try csv.readings(of: text, lineNumber: line + 1) {
                let hour = SeriesBucket.start(of: reading.tsMs)
                hours[hour, default: (line, [])].readings.append((order, reading))
                order += 1
                buffered += 1
            }
            // Whole hours go once enough is buffered: every hour before the newest one
            // (the newest may still be arriving).
            if buffered >= flushReadings, let newest = hours.keys.max() { try await flush(before: newest) }
        }
        try await flush(before: nil)
        progress.complete = true
        try progress.save(in: progressDirectory)
        status.finish(bytes: reader.bytesRead, readings: totals.stats.sent, since: started)
        totals.seconds = (ContinuousClock.now - started).totalMilliseconds / 1000
        return totals
    }

    /// By sensor and time, keeping the file's order for a time given twice (a later value
    /// replaces an earlier one, as it would have live).
    static func bySensorAndTime(_ readings: [(offset: Int, reading: ScenarioReading)]) -> [ScenarioReading] {
        readings.sorted { ($0.reading.sensorId, $0.reading.tsMs, $0.offset) < ($1.reading.sensorId, $1.reading.tsMs, $1.offset) }.map(\.reading)
    }
}

/// One status line on standard error, redrawn as an import goes: how far through the
/// file, readings sent, and the rate.
struct ImportStatusLine {
    let name: String
    let total: Int64?

    func update(bytes: Int64, readings: Int, since started: ContinuousClock.Instant) {
        let seconds = max(0.001, (ContinuousClock.now - started).totalMilliseconds / 1000)
        let share = total.map { String(format: "%3.0f%% ", min(100, Double(bytes) / Double(max(1, $0)) * 100)) } ?? ""
        let line = String(format: "\r%@ %@%d readings sent, %.0f readings/s  ", name, share, readings, Double(readings) / seconds)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish(bytes: Int64, readings: Int, since started: ContinuousClock.Instant) {
        update(bytes: bytes, readings: readings, since: started)
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
