import Foundation

/// Reads and writes a scenario folder:
///
/// - `scenario.json`: ``ScenarioMeta``
/// - `sensors.csv`: `sensor_id,kind,unit,zone,node_id,lat,lon,min,max`
/// - `readings.csv`: `sensor_id,ts_ms,value`, in the order devices sent them
/// - `labels.json` (optional): a list of ``ScenarioLabel``
///
/// This is the only part of the Simulation module that touches the file system.
public enum ScenarioFolder {
    static let metaFile = "scenario.json"
    static let labelsFile = "labels.json"

    /// Writes `scenario` into `dir`, creating the folder when needed and replacing the four
    /// files. Reading values are written rounded to 4 decimals; `labels.json` is always
    /// written (an empty list when there is no ground truth).
    /// - Throws: ``ScenarioError`` when a field cannot be written or a file cannot be saved.
    public static func write(_ scenario: Scenario, to dir: URL) throws {
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw ScenarioError.io(dir.lastPathComponent, error)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try save(try json(encoder, scenario.meta, metaFile), metaFile, in: dir)
        try save(Data(try ScenarioCSV.encodeSensors(scenario.sensors)), ScenarioCSV.sensorsFile, in: dir)
        try save(Data(try ScenarioCSV.encodeReadings(scenario.readings)), ScenarioCSV.readingsFile, in: dir)
        try save(try json(encoder, scenario.labels, labelsFile), labelsFile, in: dir)
    }

    /// Reads the scenario in `dir`. A missing `labels.json` means no labels.
    /// - Throws: ``ScenarioError`` naming the file (and line, for a malformed CSV row).
    public static func read(from dir: URL) throws -> Scenario {
        var scenario = try readWithoutReadings(from: dir)
        scenario.readings = try load(ScenarioCSV.readingsFile, in: dir).withUnsafeBytes {
            try ScenarioCSV.decodeReadings($0)
        }
        return scenario
    }

    /// The scenario in `dir` without its readings (`waterline import` streams those from
    /// `readings.csv` or `readings.csv.gz`).
    public static func readWithoutReadings(from dir: URL) throws -> Scenario {
        let decoder = JSONDecoder()
        let meta = try decoder.decodeFile(ScenarioMeta.self, metaFile, in: dir)
        let sensors = try load(ScenarioCSV.sensorsFile, in: dir).withUnsafeBytes {
            try ScenarioCSV.decodeSensors($0)
        }
        let readings: [ScenarioReading] = []
        let labelsURL = dir.appendingPathComponent(labelsFile)
        let labels = FileManager.default.fileExists(atPath: labelsURL.path)
            ? try decoder.decodeFile([ScenarioLabel].self, labelsFile, in: dir)
            : []
        return Scenario(meta: meta, sensors: sensors, readings: readings, labels: labels)
    }

    /// Decodes the text of a `sensors.csv` (for the gateway's sensor import).
    public static func decodeSensors(csv: Data) throws -> [ScenarioSensor] {
        try csv.withUnsafeBytes { try ScenarioCSV.decodeSensors($0) }
    }

    /// Reads only a scenario's `sensors.csv` (for `waterline sensors import FILE`).
    public static func readSensors(file: URL) throws -> [ScenarioSensor] {
        let data: Data
        do { data = try Data(contentsOf: file) } catch { throw ScenarioError.io(file.lastPathComponent, error) }
        return try data.withUnsafeBytes { try ScenarioCSV.decodeSensors($0) }
    }

    // MARK: - Files

    private static func json<T: Encodable>(_ encoder: JSONEncoder, _ value: T, _ file: String) throws -> Data {
        do {
            var data = try encoder.encode(value)
            data.append(10)
            return data
        } catch {
            throw ScenarioError.invalid(file, "cannot encode: \(error)")
        }
    }

    private static func save(_ data: Data, _ file: String, in dir: URL) throws {
        do {
            try data.write(to: dir.appendingPathComponent(file), options: .atomic)
        } catch {
            throw ScenarioError.io(file, error)
        }
    }

    fileprivate static func load(_ file: String, in dir: URL) throws -> Data {
        let url = dir.appendingPathComponent(file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ScenarioError.missingFile(file, in: dir)
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw ScenarioError.io(file, error)
        }
    }
}

extension JSONDecoder {
    fileprivate func decodeFile<T: Decodable>(_ type: T.Type, _ file: String, in dir: URL) throws -> T {
        let data = try ScenarioFolder.load(file, in: dir)
        do {
            return try decode(type, from: data)
        } catch {
            throw ScenarioError.json(file, error)
        }
    }
}
