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
public struct HistoryImporter: Sendable {
    public let replayer: Replayer
    public let progressDirectory: URL
    public var batchSize = 10_000
    public var flushReadings = 200_000
    /// Send a file again even if a run before finished it.
    public var again = false
    /// Told after each acknowledged window, and once more when the file is done.
    public var onProgress: @Sendable (Status) -> Void = { _ in }
    /// Told what the import decided (a file done before, going on after a line).
    public var onNote: @Sendable (String) -> Void = { print($0) }

    public init(replayer: Replayer, progressDirectory: URL, batchSize: Int = 10_000, flushReadings: Int = 200_000, again: Bool = false) {
        self.replayer = replayer
        self.progressDirectory = progressDirectory
        self.batchSize = batchSize
        self.flushReadings = flushReadings
        self.again = again
    }

    /// What an import sent, and how long it took.
    public struct Totals: Sendable {
        public var stats = Replayer.Stats()
        public var seconds = 0.0
    }

    /// How far an import got: text read (of the total, when known) and what was sent.
    public struct Status: Sendable {
        public var bytesRead: Int64
        public var totalBytes: Int64?
        public var stats: Replayer.Stats
        public var seconds: Double
        public var finished: Bool
    }

    /// Imports one file; returns what was sent now (nothing for a file finished before).
    public func importFile(_ file: URL, name: String) async throws -> Totals {
        var totals = Totals()
        let started = ContinuousClock.now
        var progress = try (again ? nil : ImportProgress.load(file, in: progressDirectory)) ?? ImportProgress.start(file)
        if progress.complete {
            onNote("\(name): imported by an earlier run (\(progress.readingsSent) readings); --again sends it again")
            return totals
        }
        let reader = try LineReader(url: file)
        guard let header = try reader.nextLine() else { throw ImportError("\(file.path): the file is empty") }
        let csv = try HistoryCSV(header: String(header), file: name)
        var line = 0
        while line < progress.linesDone, try reader.nextLine() != nil { line += 1 }
        if progress.linesDone > 0 {
            onNote("\(name): going on after line \(progress.linesDone + 1) (\(progress.readingsSent) readings sent by an earlier run)")
        }
        func report(finished: Bool) {
            onProgress(Status(
                bytesRead: reader.bytesRead, totalBytes: reader.totalBytes, stats: totals.stats,
                seconds: (ContinuousClock.now - started).totalMilliseconds / 1000, finished: finished))
        }
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
                report(finished: false)
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
        report(finished: true)
        totals.seconds = (ContinuousClock.now - started).totalMilliseconds / 1000
        return totals
    }

    /// By sensor and time, keeping the file's order for a time given twice (a later value
    /// replaces an earlier one, as it would have live).
    static func bySensorAndTime(_ readings: [(offset: Int, reading: ScenarioReading)]) -> [ScenarioReading] {
        readings.sorted { ($0.reading.sensorId, $0.reading.tsMs, $0.offset) < ($1.reading.sensorId, $1.reading.tsMs, $1.offset) }.map(\.reading)
    }
}
