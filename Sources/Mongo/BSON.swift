/// A BSON value, as Waterline reads and writes it.
public indirect enum BSON: Sendable, Equatable {
    case double(Double)
    case string(String)
    case document(Document)
    case array([BSON])
    case bool(Bool)
    case int32(Int32)
    case int64(Int64)
    /// Milliseconds since the epoch.
    case dateTime(Int64)
    /// An ObjectId as its 24-character hex text.
    case objectID(String)
    /// Generic binary data (subtype 0): a model artifact, say.
    case binary([UInt8])
    case null

    public var doubleValue: Double? {
        switch self {
        case .double(let v): v
        case .int32(let v): Double(v)
        case .int64(let v): Double(v)
        default: nil
        }
    }

    /// Integers of either width (and integral doubles), as Int64.
    public var int64Value: Int64? {
        switch self {
        case .int32(let v): Int64(v)
        case .int64(let v): v
        case .dateTime(let v): v
        case .double(let v) where v.rounded() == v && abs(v) < 9.0e18: Int64(v)
        default: nil
        }
    }

    public var stringValue: String? { if case .string(let v) = self { v } else { nil } }
    public var boolValue: Bool? { if case .bool(let v) = self { v } else { nil } }
    public var documentValue: Document? { if case .document(let v) = self { v } else { nil } }
    public var arrayValue: [BSON]? { if case .array(let v) = self { v } else { nil } }
    public var binaryValue: [UInt8]? { if case .binary(let v) = self { v } else { nil } }
}

extension BSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int64(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: BSON...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, BSON)...) { self = .document(Document(elements)) }
}

/// An ordered BSON document. Keys keep their insertion order (it matters to MongoDB
/// for sort and index specifications).
public struct Document: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(key: String, value: BSON)]

    public init() { fields = [] }

    public init(_ pairs: [(String, BSON)]) {
        fields = pairs.map { (key: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, BSON)...) { self.init(elements) }

    public subscript(key: String) -> BSON? {
        get { fields.first { $0.key == key }?.value }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue { fields[index].value = newValue } else { fields.remove(at: index) }
            } else if let newValue {
                fields.append((key: key, value: newValue))
            }
        }
    }

    public var keys: [String] { fields.map(\.key) }
    public var isEmpty: Bool { fields.isEmpty }

    public static func == (lhs: Document, rhs: Document) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
