import Foundation
import WaterlineProto

/// Parses the JSON body of `POST /api/v1/readings`:
/// `{"source": "...", "readings": [{"sensor_id": "...", "ts_ms": 1700000000000, "value": 3.2, "trace_id": "..."}]}`.
/// Malformed JSON is a 400; a reading whose fields have the wrong type is a 422 naming
/// the field (e.g. `readings[3].value`).
enum ReadingsParser {
    static func parse(_ data: Data) throws(APIError) -> SubmitReadingsRequest {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw APIError.badRequest("body is not valid JSON: \(error.localizedDescription)")
        }
        guard let root = object as? [String: Any] else {
            throw APIError.badRequest("body must be a JSON object with a 'readings' array", field: "readings")
        }
        guard let items = root["readings"] as? [Any] else {
            throw APIError.unprocessable("'readings' must be an array of readings", field: "readings")
        }
        var request = SubmitReadingsRequest()
        request.source = (root["source"] as? String) ?? "gateway"
        request.readings.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let path = "readings[\(index)]"
            guard let fields = item as? [String: Any] else { throw APIError.unprocessable("\(path) must be an object", field: path) }
            var reading = Reading()
            guard let id = fields["sensor_id"] as? String else {
                throw APIError.unprocessable("\(path).sensor_id must be a string", field: "\(path).sensor_id")
            }
            reading.sensorID = id
            guard let ts = fields["ts_ms"] as? NSNumber, !(fields["ts_ms"] is Bool), ts.doubleValue.rounded() == ts.doubleValue, abs(ts.doubleValue) < 9e15 else {
                throw APIError.unprocessable("\(path).ts_ms must be an integer (epoch milliseconds)", field: "\(path).ts_ms")
            }
            reading.tsMs = ts.int64Value
            guard let value = fields["value"] as? NSNumber, !(fields["value"] is Bool) else {
                throw APIError.unprocessable("\(path).value must be a number", field: "\(path).value")
            }
            reading.value = value.doubleValue
            if let trace = fields["trace_id"] as? String { reading.traceID = trace }
            if let unit = fields["unit"] as? String { reading.unit = unit }
            request.readings.append(reading)
        }
        return request
    }
}
