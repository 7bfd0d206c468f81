import CMongoC

// Conversion between Swift `Document` and libbson's `bson_t` (an opaque pointer in
// Swift, see shim.h). Only this file and the collection wrappers touch libbson.

extension Document {
    /// Builds a `bson_t`, passes it to `body` and destroys it.
    func withBSON<R>(_ body: (OpaquePointer) throws -> R) rethrows -> R {
        let bson = makeBSON()
        defer { bson_destroy(bson) }
        return try body(bson)
    }

    func makeBSON() -> OpaquePointer {
        let bson = bson_new()!
        for (key, value) in fields { value.append(to: bson, key: key) }
        return bson
    }

    /// Reads a document from a `bson_t` that stays owned by the caller.
    init(bson: OpaquePointer) {
        self.init()
        let iter = wl_iter_alloc()!
        defer { wl_iter_free(iter) }
        guard bson_iter_init(iter, bson) else { return }
        self = Document.read(iter)
    }

    static func read(_ iter: OpaquePointer) -> Document {
        var pairs: [(String, BSON)] = []
        while bson_iter_next(iter) {
            let key = String(cString: bson_iter_key(iter))
            pairs.append((key, BSON.read(iter)))
        }
        return Document(pairs)
    }
}

extension BSON {
    func append(to bson: OpaquePointer, key: String) {
        let keyLength = Int32(key.utf8.count)
        switch self {
        case .double(let v): bson_append_double(bson, key, keyLength, v)
        case .string(let v):
            let bytes = Array(v.utf8CString)  // NUL-terminated; length passed excludes it
            bytes.withUnsafeBufferPointer {
                _ = bson_append_utf8(bson, key, keyLength, $0.baseAddress!, Int32($0.count - 1))
            }
        case .document(let d):
            let child = d.makeBSON()
            bson_append_document(bson, key, keyLength, child)
            bson_destroy(child)
        case .array(let items):
            let child = bson_new()!
            for (index, item) in items.enumerated() { item.append(to: child, key: String(index)) }
            bson_append_array(bson, key, keyLength, child)
            bson_destroy(child)
        case .bool(let v): bson_append_bool(bson, key, keyLength, v)
        case .int32(let v): bson_append_int32(bson, key, keyLength, v)
        case .int64(let v): bson_append_int64(bson, key, keyLength, v)
        case .dateTime(let v): bson_append_date_time(bson, key, keyLength, v)
        case .objectID(let hex):
            var oid = bson_oid_t()
            bson_oid_init_from_string(&oid, hex)
            bson_append_oid(bson, key, keyLength, &oid)
        case .null: bson_append_null(bson, key, keyLength)
        case .binary(let bytes):
            bytes.withUnsafeBufferPointer { _ = bson_append_binary(bson, key, keyLength, BSON_SUBTYPE_BINARY, $0.baseAddress, UInt32($0.count)) }
        }
    }

    static func read(_ iter: OpaquePointer) -> BSON {
        let type = bson_iter_type(iter)
        switch type {
        case BSON_TYPE_DOUBLE: return .double(bson_iter_double(iter))
        case BSON_TYPE_UTF8:
            var length: UInt32 = 0
            let pointer = bson_iter_utf8(iter, &length)!
            let buffer = UnsafeRawBufferPointer(start: pointer, count: Int(length))
            return .string(String(decoding: buffer, as: UTF8.self))
        case BSON_TYPE_DOCUMENT, BSON_TYPE_ARRAY:
            let child = wl_iter_alloc()!
            defer { wl_iter_free(child) }
            bson_iter_recurse(iter, child)
            if type == BSON_TYPE_DOCUMENT { return .document(Document.read(child)) }
            var items: [BSON] = []
            while bson_iter_next(child) { items.append(BSON.read(child)) }
            return .array(items)
        case BSON_TYPE_BOOL: return .bool(bson_iter_bool(iter))
        case BSON_TYPE_INT32: return .int32(bson_iter_int32(iter))
        case BSON_TYPE_INT64: return .int64(bson_iter_int64(iter))
        case BSON_TYPE_DATE_TIME: return .dateTime(bson_iter_date_time(iter))
        case BSON_TYPE_OID:
            var text = [CChar](repeating: 0, count: 25)
            bson_oid_to_string(bson_iter_oid(iter), &text)
            return .objectID(String(decoding: text.prefix(24).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        case BSON_TYPE_BINARY:
            var subtype = BSON_SUBTYPE_BINARY
            var length: UInt32 = 0
            var data: UnsafePointer<UInt8>?
            bson_iter_binary(iter, &subtype, &length, &data)
            return .binary(data.map { Array(UnsafeBufferPointer(start: $0, count: Int(length))) } ?? [])
        default: return .null
        }
    }
}
