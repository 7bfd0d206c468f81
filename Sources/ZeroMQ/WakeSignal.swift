import CZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// A Linux eventfd that other threads write to wake a socket's owner thread out of
/// `zmq_poll` (which polls plain file descriptors beside sockets).
final class WakeSignal: Sendable {
    let fd: Int32

    init() throws(ZMQError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError(errno: Glibc.errno, call: "eventfd") }
        self.fd = fd
    }

    func signal() {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { write(fd, $0.baseAddress, 8) }
    }

    func reset() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { read(fd, $0.baseAddress, 8) }
    }

    /// The descriptor lives as long as this object: closing it while another thread
    /// may still signal could write into a reused descriptor.
    deinit { _ = Glibc.close(fd) }
}
