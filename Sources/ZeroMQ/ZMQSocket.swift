import CZeroMQ

/// One libzmq socket. Not thread-safe: exactly one thread may use it, which is why
/// services reach sockets only through ``SocketWorker``.
public final class ZMQSocket {
    public typealias Frames = [[UInt8]]

    private var handle: UnsafeMutableRawPointer?
    public let type: SocketType

    public init(context: ZMQContext, type: SocketType) throws(ZMQError) {
        guard let socket = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket")
        }
        self.handle = socket
        self.type = type
        // Never let a pending message block context termination forever.
        try setOption(ZMQ_LINGER, 0 as Int32)
    }

    deinit {
        assert(handle == nil, "ZMQSocket deallocated without close()")
        if let handle { zmq_close(handle) }
    }

    var raw: UnsafeMutableRawPointer {
        guard let handle else { preconditionFailure("use of a closed ZMQSocket") }
        return handle
    }

    /// Closes the socket after waiting at most `lingerMs` for queued messages to leave.
    public func close(lingerMs: Int32 = 0) {
        guard let handle else { return }
        var linger = lingerMs
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        zmq_close(handle)
        self.handle = nil
    }

    // MARK: Endpoints

    public func bind(_ endpoint: String) throws(ZMQError) {
        try zmqCall("zmq_bind", endpoint) { zmq_bind(raw, endpoint) }
    }

    public func connect(_ endpoint: String) throws(ZMQError) {
        try zmqCall("zmq_connect", endpoint) { zmq_connect(raw, endpoint) }
    }

    public func disconnect(_ endpoint: String) throws(ZMQError) {
        try zmqCall("zmq_disconnect", endpoint) { zmq_disconnect(raw, endpoint) }
    }

    /// The endpoint actually bound, e.g. `tcp://127.0.0.1:41234` after binding port `*`/0.
    public var lastEndpoint: String {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        zmq_getsockopt(raw, ZMQ_LAST_ENDPOINT, &buffer, &size)
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Options

    public func setOption(_ option: Int32, _ value: Int32) throws(ZMQError) {
        var v = value
        try zmqCall("zmq_setsockopt", "option \(option)") {
            zmq_setsockopt(raw, option, &v, MemoryLayout<Int32>.size)
        }
    }

    public func setOption(_ option: Int32, _ value: Int64) throws(ZMQError) {
        var v = value
        try zmqCall("zmq_setsockopt", "option \(option)") {
            zmq_setsockopt(raw, option, &v, MemoryLayout<Int64>.size)
        }
    }

    public func setOption(_ option: Int32, bytes: [UInt8]) throws(ZMQError) {
        try zmqCall("zmq_setsockopt", "option \(option)") {
            bytes.withUnsafeBytes { zmq_setsockopt(raw, option, $0.baseAddress, $0.count) }
        }
    }

    public func subscribe(_ prefix: String) throws(ZMQError) {
        try setOption(ZMQ_SUBSCRIBE, bytes: Array(prefix.utf8))
    }

    /// Follows a change of the peers' addresses: connects the new ones and disconnects
    /// the ones gone. Failures are left for the next change (a vanished address may
    /// already be disconnected).
    public func reconnect(connect: [String], disconnect: [String]) {
        for endpoint in disconnect { try? self.disconnect(endpoint) }
        for endpoint in connect { try? self.connect(endpoint) }
    }

    public func unsubscribe(_ prefix: String) throws(ZMQError) {
        try setOption(ZMQ_UNSUBSCRIBE, bytes: Array(prefix.utf8))
    }

    public func setSendHighWaterMark(_ messages: Int32) throws(ZMQError) { try setOption(ZMQ_SNDHWM, messages) }
    public func setReceiveHighWaterMark(_ messages: Int32) throws(ZMQError) { try setOption(ZMQ_RCVHWM, messages) }

    /// Largest inbound message accepted; larger ones drop the peer's connection.
    public func setMaxMessageSize(_ bytes: Int64) throws(ZMQError) { try setOption(ZMQ_MAXMSGSIZE, bytes) }

    // MARK: Messages

    /// Sends a multipart message. Returns false when `dontWait` is set and the
    /// message could not be queued (EAGAIN). libzmq delivers multipart messages
    /// atomically, so EAGAIN can only happen on the first frame.
    @discardableResult
    public func send(_ frames: Frames, dontWait: Bool = false) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a ZeroMQ message needs at least one frame")
        let base = dontWait ? ZMQ_DONTWAIT : 0
        for (index, frame) in frames.enumerated() {
            let flags = base | (index < frames.count - 1 ? ZMQ_SNDMORE : 0)
            do {
                try zmqCall("zmq_send") {
                    frame.withUnsafeBytes { zmq_send(raw, $0.baseAddress, $0.count, flags) }
                }
            } catch let error where error.wouldBlock && index == 0 {
                return false
            }
        }
        return true
    }

    /// Receives one multipart message, or nil when `dontWait` is set and none is ready.
    public func receive(dontWait: Bool = false) throws(ZMQError) -> Frames? {
        var frames: Frames = []
        var message = zmq_msg_t()
        zmq_msg_init(&message)
        defer { zmq_msg_close(&message) }
        while true {
            do {
                try zmqCall("zmq_msg_recv") { zmq_msg_recv(&message, raw, dontWait ? ZMQ_DONTWAIT : 0) }
            } catch let error where error.wouldBlock && frames.isEmpty {
                return nil
            }
            let size = zmq_msg_size(&message)
            if let data = zmq_msg_data(&message), size > 0 {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }
}
