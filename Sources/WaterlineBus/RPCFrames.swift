import Foundation

/// The frames of an RPC on the wire (see README "Wire protocol"):
///   request: `[method, request_id, deadline_ms, payload]`
///   reply:   `[request_id, status, payload-or-RpcError]`
/// A ROUTER server sees the peer's routing identity as an extra first frame.
/// Numbers are decimal ASCII, so any language can speak the protocol.
enum RPCFrames {
    struct Request {
        var method: String
        var requestID: UInt64
        /// Milliseconds since the epoch after which the caller gives up; 0 = none.
        var deadlineMs: Int64
        var payload: [UInt8]
    }

    struct Reply {
        var requestID: UInt64
        var status: Int32
        var payload: [UInt8]
    }

    static func encode(_ r: Request) -> [[UInt8]] {
        [Array(r.method.utf8), ascii(r.requestID), ascii(r.deadlineMs), r.payload]
    }

    static func encode(_ r: Reply) -> [[UInt8]] {
        [ascii(r.requestID), ascii(r.status), r.payload]
    }

    enum DecodeError: Error { case frameCount(Int), badNumber(String) }

    /// Decodes request frames without the routing identity.
    static func decodeRequest(_ frames: ArraySlice<[UInt8]>) throws(DecodeError) -> Request {
        guard frames.count == 4 else { throw .frameCount(frames.count) }
        let f = Array(frames)
        guard let id = UInt64(text(f[1])) else { throw .badNumber("request_id") }
        guard let deadline = Int64(text(f[2])) else { throw .badNumber("deadline_ms") }
        return Request(method: text(f[0]), requestID: id, deadlineMs: deadline, payload: f[3])
    }

    static func decodeReply(_ frames: [[UInt8]]) throws(DecodeError) -> Reply {
        guard frames.count == 3 else { throw .frameCount(frames.count) }
        guard let id = UInt64(text(frames[0])) else { throw .badNumber("request_id") }
        guard let status = Int32(text(frames[1])) else { throw .badNumber("status") }
        return Reply(requestID: id, status: status, payload: frames[2])
    }

    static func ascii<T: BinaryInteger>(_ n: T) -> [UInt8] { Array(String(n).utf8) }
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// Wall-clock milliseconds since the epoch.
public func nowMs() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded())
}
