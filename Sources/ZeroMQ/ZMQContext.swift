import CZeroMQ

/// A libzmq context. Thread-safe (libzmq contexts are); sockets are not.
public final class ZMQContext: @unchecked Sendable {
    // @unchecked: the handle is a libzmq context, documented as thread-safe; it is
    // only destroyed in deinit, when no one else can hold it.
    let handle: UnsafeMutableRawPointer

    public init(ioThreads: Int32 = 1) {
        guard let ctx = zmq_ctx_new() else { fatalError("zmq_ctx_new returned NULL: out of memory") }
        zmq_ctx_set(ctx, ZMQ_IO_THREADS, ioThreads)
        handle = ctx
    }

    /// One context per process is the libzmq convention.
    public static let shared = ZMQContext()

    deinit {
        // Every socket must be closed (with linger set) before this, or it blocks.
        zmq_ctx_term(handle)
    }

    /// The libzmq version, e.g. "4.3.4".
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }
}
