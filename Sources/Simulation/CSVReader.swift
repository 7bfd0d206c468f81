/// A plain CSV reader over UTF-8 bytes: a header line naming the columns, then one row per
/// line, fields split at commas (no quoting). Blank lines, a trailing newline, `\r\n` line
/// ends and a UTF-8 byte order mark are accepted. Errors name the file and the 1-based line.
struct CSVReader {
    /// File name used in error messages.
    let file: String
    /// Names of the columns the caller needs; they may appear in any order in the header,
    /// and other columns are ignored.
    let columns: [String]

    /// Calls `body` for every data row with the row's fields; `row[i]` is the field of
    /// `columns[i]`.
    func forEachRow(
        in bytes: UnsafeRawBufferPointer, _ body: (inout CSVRow) throws -> Void
    ) throws {
        let buffer = bytes.bindMemory(to: UInt8.self)
        var position = 0
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
            position = 3
        }
        var lineNumber = 0
        var header: [String]?
        var indices: [Int] = []
        var row = CSVRow(file: file, buffer: buffer, line: 0, fields: [])
        var fieldStarts: [Int] = []
        var fieldEnds: [Int] = []
        while position < buffer.count {
            lineNumber += 1
            let start = position
            var end = start
            while end < buffer.count, buffer[end] != 10 { end += 1 }
            position = end + 1
            if end > start, buffer[end - 1] == 13 { end -= 1 }
            if end == start { continue }

            fieldStarts.removeAll(keepingCapacity: true)
            fieldEnds.removeAll(keepingCapacity: true)
            var fieldStart = start
            for i in start..<end where buffer[i] == UInt8(ascii: ",") {
                fieldStarts.append(fieldStart)
                fieldEnds.append(i)
                fieldStart = i + 1
            }
            fieldStarts.append(fieldStart)
            fieldEnds.append(end)

            guard let header else {
                let names = zip(fieldStarts, fieldEnds).map { s, e in
                    String(decoding: UnsafeBufferPointer(rebasing: buffer[s..<e]), as: UTF8.self)
                        .trimmingSpaces()
                }
                for column in columns {
                    guard let index = names.firstIndex(of: column) else {
                        throw ScenarioError.malformed(
                            file, line: lineNumber,
                            "header lacks column '\(column)' (expected \(columns.joined(separator: ",")))")
                    }
                    indices.append(index)
                }
                header = names
                continue
            }
            guard fieldStarts.count == header.count else {
                throw ScenarioError.malformed(
                    file, line: lineNumber,
                    "expected \(header.count) fields, found \(fieldStarts.count)")
            }
            row.line = lineNumber
            row.fields.removeAll(keepingCapacity: true)
            for index in indices {
                row.fields.append(fieldStarts[index]..<fieldEnds[index])
            }
            try body(&row)
        }
        if header == nil {
            throw ScenarioError.invalid(file, "empty file, expected a header line")
        }
    }
}

/// The fields of one CSV line, valid only during the ``CSVReader/forEachRow(in:_:)`` call.
struct CSVRow {
    let file: String
    let buffer: UnsafeBufferPointer<UInt8>
    /// 1-based line number in the file.
    var line: Int
    var fields: [Range<Int>]

    /// Field `i` as text.
    func string(_ i: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: buffer[fields[i]]), as: UTF8.self)
    }

    /// Field `i` as a non-empty string.
    func nonEmptyString(_ i: Int, name: String) throws -> String {
        guard !fields[i].isEmpty else { throw error("empty \(name)") }
        return string(i)
    }

    /// Field `i` as a decimal integer.
    func int64(_ i: Int, name: String) throws -> Int64 {
        let range = fields[i]
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, buffer[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        guard index < range.upperBound else { throw error("\(name) '\(string(i))' is not an integer") }
        var value: Int64 = 0
        while index < range.upperBound {
            let digit = buffer[index] &- UInt8(ascii: "0")
            guard digit < 10 else { throw error("\(name) '\(string(i))' is not an integer") }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { throw error("\(name) '\(string(i))' is out of range") }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }

    /// Field `i` as a finite number.
    func double(_ i: Int, name: String) throws -> Double {
        if let value = fastDouble(fields[i]) { return value }
        guard let value = Double(string(i).trimmingSpaces()), value.isFinite else {
            throw error("\(name) '\(string(i))' is not a finite number")
        }
        return value
    }

    func error(_ message: String) -> ScenarioError {
        .malformed(file, line: line, message)
    }

    /// Exact parse of the common form `-?digits(.digits)?` when the digits fit in 2^53 and
    /// there are at most 22 decimals: one correctly rounded division, the same result as a
    /// full decimal parser. Returns nil for anything else.
    private func fastDouble(_ range: Range<Int>) -> Double? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, buffer[index] == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var decimals = 0
        var seenPoint = false
        while index < range.upperBound {
            let byte = buffer[index]
            if byte == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
            } else {
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                digits += 1
                if seenPoint { decimals += 1 }
                if digits > 15 { return nil }
            }
            index += 1
        }
        guard digits > 0, decimals <= 22 else { return nil }
        let value = Double(mantissa) / CSVRow.powersOfTen[decimals]
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
