import CZeroMQ

/// An error from a libzmq call: keeps `errno` and the name of the call that failed.
public struct ZMQError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The `zmq_errno()` value at the time of failure.
    public let errno: Int32
    /// The libzmq function (or Waterline operation) that failed, e.g. `zmq_bind`.
    public let call: String
    /// Extra context, such as the endpoint.
    public let detail: String

    public init(errno: Int32, call: String, detail: String = "") {
        self.errno = errno
        self.call = call
        self.detail = detail
    }

    /// The error of the most recent failing libzmq call on this thread.
    static func last(_ call: String, _ detail: String = "") -> ZMQError {
        ZMQError(errno: zmq_errno(), call: call, detail: detail)
    }

    public var message: String { String(cString: zmq_strerror(errno)) }

    public var description: String {
        let suffix = detail.isEmpty ? "" : " (\(detail))"
        return "\(call) failed: \(message) [errno \(errno)]\(suffix)"
    }

    /// True when the call would have blocked (non-blocking mode).
    public var wouldBlock: Bool { errno == EAGAIN }
    /// True when the context was terminated under the call.
    public var contextTerminated: Bool { errno == ETERM }
}

/// Runs a libzmq call that returns -1 on failure, retrying on `EINTR`.
@discardableResult
func zmqCall(_ name: String, _ detail: @autoclosure () -> String = "", _ body: () -> Int32) throws(ZMQError) -> Int32 {
    while true {
        let rc = body()
        if rc != -1 { return rc }
        let err = zmq_errno()
        if err == EINTR { continue }
        throw ZMQError(errno: err, call: name, detail: detail())
    }
}
