/// Reads history files for `waterline import`, one line at a time: pure, lines in,
/// readings out. Two layouts, told apart by the header:
/// - **long**: `sensor_id,ts_ms,value` in any column order (other columns ignored), one
///   reading per line; a scenario folder's `readings.csv` is one;
/// - **wide**: a time column first (`ts_ms`, `timestamp`, `time`, `datetime` or `date`),
///   then one column per sensor, named by its sensor id; an empty cell is no reading.
///
/// Times are epoch milliseconds, or ISO 8601 date-times (`2018-01-01 00:05:00`,
/// `2018-01-01T00:05:00Z`, `…+02:00`; without an offset they are UTC).
public struct HistoryCSV: Sendable {
    public enum Layout: Sendable, Equatable {
        case long(sensor: Int, time: Int, value: Int)
        case wide(time: Int, sensors: [String])
    }

    public let file: String
    public let layout: Layout
    private let columnCount: Int

    static let timeColumns = ["ts_ms", "timestamp", "time", "datetime", "date"]

    /// The layout the header line says.
    public init(header: String, file: String) throws {
        self.file = file
        var line = Substring(header)
        if line.hasPrefix("\u{FEFF}") { line = line.dropFirst() }
        let names = line.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        columnCount = names.count
        if let sensor = names.firstIndex(of: "sensor_id"), let time = names.firstIndex(of: "ts_ms"), let value = names.firstIndex(of: "value") {
            layout = .long(sensor: sensor, time: time, value: value)
        } else if let first = names.first, Self.timeColumns.contains(first.lowercased()), names.count > 1 {
            let sensors = Array(names.dropFirst())
            if let empty = sensors.firstIndex(of: "") {
                throw ScenarioError.malformed(file, line: 1, "column \(empty + 2) has no sensor id")
            }
            if Set(sensors).count != sensors.count {
                throw ScenarioError.malformed(file, line: 1, "a sensor id names two columns")
            }
            layout = .wide(time: 0, sensors: sensors)
        } else {
            throw ScenarioError.malformed(
                file, line: 1,
                "header is neither long (sensor_id,ts_ms,value) nor wide (a time column — \(Self.timeColumns.joined(separator: ", ")) — then one column per sensor): '\(header.prefix(120))'")
        }
    }

    /// The sensors a wide file names (empty for a long one).
    public var sensorColumns: [String] {
        if case .wide(_, let sensors) = layout { sensors } else { [] }
    }

    /// The readings of one data line (`lineNumber` 1-based, for errors); none for a blank line.
    public func readings(of line: Substring, lineNumber: Int) throws -> [ScenarioReading] {
        var text = line
        if text.last == "\r" { text = text.dropLast() }
        if text.isEmpty { return [] }
        let fields = text.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == columnCount else {
            throw ScenarioError.malformed(file, line: lineNumber, "expected \(columnCount) fields, found \(fields.count)")
        }
        switch layout {
        case .long(let sensor, let time, let value):
            let id = String(fields[sensor]).trimmingSpaces()
            guard !id.isEmpty else { throw ScenarioError.malformed(file, line: lineNumber, "empty sensor_id") }
            return [ScenarioReading(
                sensorId: id, tsMs: try timestamp(fields[time], lineNumber),
                value: try number(fields[value], column: "value", lineNumber))]
        case .wide(let time, let sensors):
            let ts = try timestamp(fields[time], lineNumber)
            var out: [ScenarioReading] = []
            out.reserveCapacity(sensors.count)
            for (i, id) in sensors.enumerated() {
                let cell = fields[i + 1]
                if cell.allSatisfy({ $0 == " " }) { continue }
                out.append(ScenarioReading(sensorId: id, tsMs: ts, value: try number(cell, column: id, lineNumber)))
            }
            return out
        }
    }

    private func number(_ field: Substring, column: String, _ line: Int) throws -> Double {
        guard let v = Double(String(field).trimmingSpaces()) else {
            throw ScenarioError.malformed(file, line: line, "\(column) '\(field)' is not a number")
        }
        return v
    }

    private func timestamp(_ field: Substring, _ line: Int) throws -> Int64 {
        let text = String(field).trimmingSpaces()
        if let ms = Int64(text) { return ms }
        guard let ms = Self.isoMilliseconds(text) else {
            throw ScenarioError.malformed(file, line: line, "time '\(text)' is neither epoch milliseconds nor an ISO 8601 date-time")
        }
        return ms
    }

    /// `yyyy-MM-dd[( |T)HH:mm[:ss[.fff]]][Z|±HH:MM]` as epoch milliseconds (UTC without
    /// an offset).
    static func isoMilliseconds(_ s: String) -> Int64? {
        let c = Array(s.utf8)
        func digits(_ at: Int, _ n: Int) -> Int? {
            guard at + n <= c.count else { return nil }
            var v = 0
            for i in at..<(at + n) {
                guard c[i] >= 48 && c[i] <= 57 else { return nil }
                v = v * 10 + Int(c[i] - 48)
            }
            return v
        }
        guard let year = digits(0, 4), c.count >= 10, c[4] == 45, let month = digits(5, 2), c[7] == 45, let day = digits(8, 2),
              (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var i = 10
        var hour = 0, minute = 0, second = 0, millis = 0
        if i < c.count, c[i] == 32 || c[i] == 84 {
            guard let h = digits(i + 1, 2), i + 3 < c.count, c[i + 3] == 58, let m = digits(i + 4, 2) else { return nil }
            hour = h
            minute = m
            i += 6
            if i < c.count, c[i] == 58 {
                guard let sec = digits(i + 1, 2) else { return nil }
                second = sec
                i += 3
                if i < c.count, c[i] == 46 {
                    var j = i + 1
                    var scale = 100
                    while j < c.count, c[j] >= 48 && c[j] <= 57 {
                        millis += Int(c[j] - 48) * scale
                        scale /= 10
                        j += 1
                    }
                    i = j
                }
            }
        }
        var offsetMinutes = 0
        if i < c.count {
            if c[i] == 90 && i + 1 == c.count {
                i += 1
            } else if c[i] == 43 || c[i] == 45, let oh = digits(i + 1, 2), i + 6 == c.count, c[i + 3] == 58, let om = digits(i + 4, 2) {
                offsetMinutes = (oh * 60 + om) * (c[i] == 43 ? 1 : -1)
                i = c.count
            } else {
                return nil
            }
        }
        guard hour < 24, minute < 60, second < 61 else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }
}
