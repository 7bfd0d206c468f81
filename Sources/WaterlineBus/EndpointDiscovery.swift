import Foundation

/// Turns configured endpoints into the addresses to connect to, and keeps them current:
/// a host name that resolves to several replicas (Compose `--scale`, Swarm with
/// `endpoint_mode: dnsrr` or `tasks.<name>`) means every one of them. Names are
/// resolved again every ``refreshSeconds``; `apply` is told what to connect and what
/// to disconnect. An endpoint whose host does not resolve (yet: containers start in
/// any order) is connected by name, which libzmq retries, until it resolves.
public final class EndpointDiscovery: Sendable {
    /// How often names are resolved again (`WATERLINE_DISCOVERY_REFRESH_S`, set by the
    /// service at start; 0: never).
    public static let refreshSeconds = Locked(10)

    public typealias Apply = @Sendable (_ connect: [String], _ disconnect: [String]) -> Void

    public typealias Resolver = @Sendable (String) -> [String]

    private let configured: [String]
    private let resolver: Resolver
    private let current = Locked<Set<String>>([])
    private let refresher = Locked<Task<Void, Never>?>(nil)

    /// Resolves the endpoints now (``initial``); ``start(apply:)`` keeps them current.
    /// `resolver` maps one endpoint to its addresses (tests replace DNS with it).
    public init(_ endpoints: [String], resolver: @escaping Resolver = EndpointDiscovery.resolve) {
        configured = endpoints
        self.resolver = resolver
        let first = Self.resolveAll(endpoints, resolver)
        current.withLock { $0 = Set(first) }
        initial = first
    }

    /// Resolves the names again every `interval` (default ``refreshSeconds``) and tells
    /// `apply` what changed.
    public func start(every interval: Duration? = nil, apply: @escaping Apply) {
        let seconds = Self.refreshSeconds.value
        let period = interval ?? .seconds(seconds)
        guard period > .zero, configured.contains(where: { Self.needsResolving($0) }) else { return }
        let (current, configured, resolver) = (self.current, self.configured, self.resolver)
        refresher.withLock {
            $0 = Task.detached {
                while !Task.isCancelled {
                    try? await Task.sleep(for: period)
                    if Task.isCancelled { return }
                    let now = Set(Self.resolveAll(configured, resolver))
                    let (added, removed) = current.withLock { set -> ([String], [String]) in
                        let added = now.subtracting(set).sorted()
                        let removed = set.subtracting(now).sorted()
                        set = now
                        return (added, removed)
                    }
                    if !added.isEmpty || !removed.isEmpty { apply(added, removed) }
                }
            }
        }
    }

    /// The addresses resolved at start.
    public let initial: [String]

    public var addresses: [String] { current.value.sorted() }

    public func stop() {
        refresher.withLock { $0?.cancel() }
    }

    // MARK: Resolving

    /// Whether the endpoint names a host (rather than an address).
    public static func needsResolving(_ endpoint: String) -> Bool {
        guard let (host, _) = split(endpoint) else { return false }
        return host != "*" && inet_addr(host) == INADDR_NONE
    }

    /// Every address of every endpoint, in order, without repeats.
    static func resolveAll(_ endpoints: [String], _ resolver: Resolver) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for endpoint in endpoints {
            for address in resolver(endpoint) where seen.insert(address).inserted { result.append(address) }
        }
        return result
    }

    /// `tcp://name:port` → `tcp://<each IPv4 address>:port`; anything else (an IP, ipc://,
    /// inproc://, a name that does not resolve) unchanged.
    @Sendable public static func resolve(_ endpoint: String) -> [String] {
        guard needsResolving(endpoint), let (host, port) = split(endpoint) else { return [endpoint] }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return [endpoint] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let entry = node {
            if let raw = entry.pointee.ai_addr, entry.pointee.ai_family == AF_INET {
                var address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                if inet_ntop(AF_INET, &address, &text, socklen_t(INET_ADDRSTRLEN)) != nil {
                    let ip = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                    let candidate = "tcp://\(ip):\(port)"
                    if !addresses.contains(candidate) { addresses.append(candidate) }
                }
            }
            node = entry.pointee.ai_next
        }
        return addresses.isEmpty ? [endpoint] : addresses.sorted()
    }

    /// `tcp://host:port` → (host, port).
    static func split(_ endpoint: String) -> (String, String)? {
        guard endpoint.hasPrefix("tcp://") else { return nil }
        let rest = endpoint.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]))
    }
}
