/// Encoding and decoding of the two CSV files of a scenario folder, `sensors.csv` and
/// `readings.csv`. Pure: bytes in, values out.
enum ScenarioCSV {
    static let sensorsFile = "sensors.csv"
    static let readingsFile = "readings.csv"
    static let sensorColumns = ["sensor_id", "kind", "unit", "zone", "node_id", "lat", "lon", "min", "max"]
    static let readingColumns = ["sensor_id", "ts_ms", "value"]
    /// Decimal places of reading values in `readings.csv`.
    static let valueDecimals = 4

    // MARK: - Encoding

    static func encodeSensors(_ sensors: [ScenarioSensor]) throws -> [UInt8] {
        var writer = CSVWriter(reservingCapacity: 128 * (sensors.count + 1))
        writer.append(sensorColumns.joined(separator: ","))
        writer.newline()
        for (index, sensor) in sensors.enumerated() {
            let texts = [sensor.sensorId, sensor.kind, sensor.unit, sensor.zone, sensor.nodeId]
            for (name, text) in zip(sensorColumns, texts) {
                guard CSVWriter.isPlainField(text) else {
                    throw ScenarioError.invalid(
                        sensorsFile, "sensor #\(index + 1): \(name) '\(text)' contains a comma, quote or line break")
                }
                writer.append(text)
                writer.comma()
            }
            let numbers = [sensor.lat, sensor.lon, sensor.min, sensor.max]
            for (offset, number) in numbers.enumerated() {
                guard number.isFinite else {
                    throw ScenarioError.invalid(
                        sensorsFile, "sensor '\(sensor.sensorId)': \(sensorColumns[5 + offset]) is not finite")
                }
                if offset > 0 { writer.comma() }
                writer.appendShortest(number)
            }
            writer.newline()
        }
        return writer.bytes
    }

    /// Values are written rounded to ``valueDecimals`` places.
    static func encodeReadings(_ readings: [ScenarioReading]) throws -> [UInt8] {
        var writer = CSVWriter(reservingCapacity: 36 * (readings.count + 1))
        writer.append(readingColumns.joined(separator: ","))
        writer.newline()
        var idBytes: [String: [UInt8]] = [:]
        for (index, reading) in readings.enumerated() {
            guard reading.value.isFinite else {
                throw ScenarioError.invalid(
                    readingsFile, "reading #\(index + 1) of '\(reading.sensorId)': value is not finite")
            }
            if let bytes = idBytes[reading.sensorId] {
                writer.append(bytes: bytes)
            } else {
                guard !reading.sensorId.isEmpty, CSVWriter.isPlainField(reading.sensorId) else {
                    throw ScenarioError.invalid(
                        readingsFile, "reading #\(index + 1): sensor_id '\(reading.sensorId)' is empty or contains a comma, quote or line break")
                }
                let bytes = Array(reading.sensorId.utf8)
                idBytes[reading.sensorId] = bytes
                writer.append(bytes: bytes)
            }
            writer.comma()
            writer.append(reading.tsMs)
            writer.comma()
            writer.append(reading.value, decimals: valueDecimals)
            writer.newline()
        }
        return writer.bytes
    }

    // MARK: - Decoding

    static func decodeSensors(_ bytes: UnsafeRawBufferPointer) throws -> [ScenarioSensor] {
        var sensors: [ScenarioSensor] = []
        var seen: [String: Int] = [:]
        try CSVReader(file: sensorsFile, columns: sensorColumns).forEachRow(in: bytes) { row in
            let sensor = ScenarioSensor(
                sensorId: try row.nonEmptyString(0, name: "sensor_id"),
                kind: try row.nonEmptyString(1, name: "kind"),
                unit: row.string(2),
                zone: row.string(3),
                nodeId: row.string(4),
                lat: try row.double(5, name: "lat"),
                lon: try row.double(6, name: "lon"),
                min: try row.double(7, name: "min"),
                max: try row.double(8, name: "max"))
            if let first = seen[sensor.sensorId] {
                throw row.error("sensor_id '\(sensor.sensorId)' already defined on line \(first)")
            }
            seen[sensor.sensorId] = row.line
            sensors.append(sensor)
        }
        return sensors
    }

    static func decodeReadings(_ bytes: UnsafeRawBufferPointer) throws -> [ScenarioReading] {
        var readings: [ScenarioReading] = []
        readings.reserveCapacity(bytes.count / 28)
        try CSVReader(file: readingsFile, columns: readingColumns).forEachRow(in: bytes) { row in
            readings.append(ScenarioReading(
                sensorId: try row.nonEmptyString(0, name: "sensor_id"),
                tsMs: try row.int64(1, name: "ts_ms"),
                value: try row.double(2, name: "value")))
        }
        return readings
    }
}
