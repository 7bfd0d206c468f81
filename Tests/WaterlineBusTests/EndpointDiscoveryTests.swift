import Foundation
import Testing
import WaterlineBus

@Suite struct EndpointDiscoveryTests {
    @Test func addressesAndNonTCPEndpointsAreKeptAsTheyAre() {
        for endpoint in ["tcp://127.0.0.1:7001", "tcp://*:7001", "ipc:///tmp/x", "inproc://bus"] {
            #expect(EndpointDiscovery.resolve(endpoint) == [endpoint])
            #expect(!EndpointDiscovery.needsResolving(endpoint))
        }
    }

    @Test func aHostNameBecomesEveryIPv4AddressItResolvesTo() {
        let resolved = EndpointDiscovery.resolve("tcp://localhost:7001") ?? []
        #expect(resolved.contains("tcp://127.0.0.1:7001"), "\(resolved)")
        #expect(resolved.allSatisfy { !EndpointDiscovery.needsResolving($0) })
        // A name that does not resolve (yet) is left for libzmq to retry.
        #expect(EndpointDiscovery.resolve("tcp://no-such-host.invalid:7001") == nil)
        #expect(EndpointDiscovery.resolveNow(["tcp://no-such-host.invalid:7001"]) == ["tcp://no-such-host.invalid:7001"])
    }

    @Test func replicasAppearingAndGoingAreConnectedAndDisconnected() async throws {
        let answers = Locked<[String]?>(["tcp://10.0.0.1:7012", "tcp://10.0.0.2:7012"])
        let discovery = EndpointDiscovery(["tcp://preprocess:7012", "tcp://10.9.9.9:1"]) { endpoint in
            endpoint.contains("preprocess") ? answers.value : [endpoint]
        }
        #expect(discovery.initial == ["tcp://10.0.0.1:7012", "tcp://10.0.0.2:7012", "tcp://10.9.9.9:1"])
        let changes = Locked<[([String], [String])]>([])
        discovery.start(every: .milliseconds(20)) { connect, disconnect in changes.withLock { $0.append((connect, disconnect)) } }
        // A failed lookup (a DNS hiccup) changes nothing.
        answers.withLock { $0 = nil }
        try await Task.sleep(for: .milliseconds(200))
        #expect(changes.value.isEmpty)
        #expect(discovery.addresses == ["tcp://10.0.0.1:7012", "tcp://10.0.0.2:7012", "tcp://10.9.9.9:1"])
        answers.withLock { $0 = ["tcp://10.0.0.2:7012", "tcp://10.0.0.3:7012", "tcp://10.0.0.4:7012"] }
        let deadline = ContinuousClock.now + .seconds(20)
        while changes.value.isEmpty && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        discovery.stop()
        let first = try #require(changes.value.first)
        #expect(first.0 == ["tcp://10.0.0.3:7012", "tcp://10.0.0.4:7012"])
        #expect(first.1 == ["tcp://10.0.0.1:7012"])
        #expect(discovery.addresses == ["tcp://10.0.0.2:7012", "tcp://10.0.0.3:7012", "tcp://10.0.0.4:7012", "tcp://10.9.9.9:1"])
    }
}
