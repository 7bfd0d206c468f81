import Foundation

/// A server-sent-events client for tests: a plain HTTP/1.1 GET over a socket, read on a
/// thread of its own until `close()` or the server ends the response. What it received
/// is parsed into (event, data) frames.
public final class EventStreamClient: @unchecked Sendable {
    // @unchecked: `received` and `stopped` are only touched under `lock`.
    public struct Frame: Sendable {
        public let event: String
        public let data: String
        /// `data` parsed as a JSON object (empty when it is not one).
        public var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any]) ?? [:] }
    }

    private let lock = NSLock()
    private var received = Data()
    private var stopped = false
    private var finished = false
    private let fd: Int32

    /// Connects to 127.0.0.1:`port` and asks for `path`.
    public init(port: Int, path: String, headers: [String: String] = [:]) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestHTTPError(description: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Foundation.close(fd)
            throw TestHTTPError(description: "cannot connect to 127.0.0.1:\(port)")
        }
        let head = (["GET \(path) HTTP/1.1", "Host: 127.0.0.1:\(port)", "Accept: text/event-stream"]
            + headers.map { "\($0.key): \($0.value)" }).joined(separator: "\r\n") + "\r\n\r\n"
        _ = head.withCString { send(fd, $0, strlen($0), 0) }
        let thread = Thread { [self] in readLoop() }
        thread.start()
    }

    /// The status line's code (0 until the head has arrived).
    public var status: Int {
        let text = lock.withLock { String(decoding: received.prefix(64), as: UTF8.self) }
        let parts = text.split(separator: " ", maxSplits: 2)
        return parts.count > 1 ? Int(parts[1]) ?? 0 : 0
    }

    /// Whether the server ended the response.
    public var isFinished: Bool { lock.withLock { finished } }

    /// The frames received so far (chunked transfer framing removed).
    public var frames: [Frame] {
        let text = lock.withLock { String(decoding: received, as: UTF8.self) }
        guard let bodyStart = text.range(of: "\r\n\r\n") else { return [] }
        // Chunk-size lines are hex digits alone on a line; SSE lines never are.
        let lines = text[bodyStart.upperBound...].components(separatedBy: "\r\n").filter {
            !$0.isEmpty && !$0.allSatisfy(\.isHexDigit)
        }.joined(separator: "")
        return lines.components(separatedBy: "\n\n").compactMap { block -> Frame? in
            var event = "message", data: [String] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(String(line.dropFirst(6))) }
            }
            return data.isEmpty ? nil : Frame(event: event, data: data.joined(separator: "\n"))
        }
    }

    public func close() {
        lock.withLock { stopped = true }
    }

    private func readLoop() {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !lock.withLock({ stopped }) {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { break }
            if poller.revents == 0 { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            lock.withLock { received.append(contentsOf: buffer[0..<n]) }
        }
        lock.withLock { finished = true }
        Foundation.close(fd)
    }
}
