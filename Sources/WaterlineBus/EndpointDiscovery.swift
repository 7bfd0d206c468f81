import Foundation

/// Turns configured endpoints into the addresses to connect to, and keeps them current:
/// a host name that resolves to several replicas (Compose `--scale`, Swarm with
/// `endpoint_mode: dnsrr` or `tasks.<name>`) means every one of them. Names are
/// resolved again every ``refreshSeconds``; `apply` is told what to connect and what
/// to disconnect. An endpoint whose host does not resolve (yet: containers start in
/// any order) is connected by name, which libzmq retries, until it resolves; once
/// resolved, a failed lookup keeps the addresses it had.
public final class EndpointDiscovery: Sendable {
    /// How often names are resolved again (`WATERLINE_DISCOVERY_REFRESH_S`, set by the
    /// service at start; 0: never).
    public static let refreshSeconds = Locked(10)

    public typealias Apply = @Sendable (_ connect: [String], _ disconnect: [String]) -> Void

    /// One endpoint's addresses, or nil when it does not resolve (now).
    public typealias Resolver = @Sendable (String) -> [String]?

    private let configured: [String]
    private let resolver: Resolver
    /// Per configured endpoint, the addresses last resolved (kept when a later
    /// resolution fails: a DNS hiccup must not disconnect every replica).
    private let resolved = Locked<[String: [String]]>([:])
    /// Set to stop the refresher; the semaphore wakes it at once.
    private let stopped = Locked(false)
    private let wake = DispatchSemaphore(value: 0)

    /// Resolves the endpoints now (``initial``); ``start(apply:)`` keeps them current.
    /// `resolver` maps one endpoint to its addresses (tests replace DNS with it).
    public init(_ endpoints: [String], resolver: @escaping Resolver = EndpointDiscovery.resolve) {
        configured = endpoints
        self.resolver = resolver
        var first: [String: [String]] = [:]
        for endpoint in endpoints { first[endpoint] = resolver(endpoint) ?? [endpoint] }
        resolved.withLock { $0 = first }
        initial = Self.flatten(endpoints, first)
    }

    /// Resolves the names again every `interval` (default ``refreshSeconds``) on a thread
    /// of its own (name lookups block) and tells `apply` what changed.
    public func start(every interval: Duration? = nil, apply: @escaping Apply) {
        let period = interval ?? .seconds(Self.refreshSeconds.value)
        guard period > .zero, configured.contains(where: { Self.needsResolving($0) }) else { return }
        let (configured, resolver, resolved, stopped, wake) = (self.configured, self.resolver, self.resolved, self.stopped, self.wake)
        let wait = DispatchTimeInterval.milliseconds(Int(period.components.seconds * 1000 + period.components.attoseconds / 1_000_000_000_000_000))
        let thread = Thread {
            while true {
                _ = wake.wait(timeout: .now() + wait)
                if stopped.value { return }
                var fresh: [String: [String]] = [:]
                // (A name that does not resolve now keeps its addresses: nil is no entry.)
                for endpoint in configured where Self.needsResolving(endpoint) { fresh[endpoint] = resolver(endpoint) }
                let (added, removed) = resolved.withLock { map -> ([String], [String]) in
                    let before = Set(map.values.joined())
                    for (endpoint, addresses) in fresh where !addresses.isEmpty { map[endpoint] = addresses }
                    let after = Set(map.values.joined())
                    return (after.subtracting(before).sorted(), before.subtracting(after).sorted())
                }
                if !added.isEmpty || !removed.isEmpty { apply(added, removed) }
            }
        }
        thread.name = "endpoint-discovery"
        thread.start()
    }

    /// The addresses resolved at start.
    public let initial: [String]

    public var addresses: [String] { resolved.withLock { Set($0.values.joined()).sorted() } }

    public func stop() {
        stopped.withLock { $0 = true }
        wake.signal()
    }

    /// Every address of every endpoint, in order, without repeats.
    static func flatten(_ endpoints: [String], _ resolved: [String: [String]]) -> [String] {
        var seen: Set<String> = []
        return endpoints.flatMap { resolved[$0] ?? [$0] }.filter { seen.insert($0).inserted }
    }

    /// Every address of the endpoints, resolved now (names that do not resolve as given).
    public static func resolveNow(_ endpoints: [String]) -> [String] {
        flatten(endpoints, Dictionary(uniqueKeysWithValues: endpoints.map { ($0, resolve($0) ?? [$0]) }))
    }

    // MARK: Resolving

    /// Whether the endpoint names a host (rather than an address).
    public static func needsResolving(_ endpoint: String) -> Bool {
        guard let (host, _) = split(endpoint) else { return false }
        return host != "*" && inet_addr(host) == INADDR_NONE
    }

    /// `tcp://name:port` → `tcp://<each IPv4 address>:port`; an address, ipc:// or
    /// inproc:// unchanged; nil when the name does not resolve.
    @Sendable public static func resolve(_ endpoint: String) -> [String]? {
        guard needsResolving(endpoint), let (host, port) = split(endpoint) else { return [endpoint] }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return nil }
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
        return addresses.isEmpty ? nil : addresses.sorted()
    }

    /// `tcp://host:port` → (host, port).
    static func split(_ endpoint: String) -> (String, String)? {
        guard endpoint.hasPrefix("tcp://") else { return nil }
        let rest = endpoint.dropFirst("tcp://".count)
        guard let colon = rest.lastIndex(of: ":") else { return nil }
        return (String(rest[..<colon]), String(rest[rest.index(after: colon)...]))
    }
}
