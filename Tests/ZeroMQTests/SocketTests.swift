import Foundation
import Testing
@testable import ZeroMQ

@Suite struct SocketTests {
    @Test func pushPullCarriesMultipartMessagesInOrder() throws {
        let pull = try ZMQSocket(context: .shared, type: .pull)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try ZMQSocket(context: .shared, type: .push)
        try push.connect(pull.lastEndpoint)
        defer { push.close(); pull.close() }
        for i in 0..<10 {
            #expect(try push.send([Array("head".utf8), [UInt8(i)], []]))
        }
        for i in 0..<10 {
            let frames = try #require(try pull.receive())
            #expect(frames == [Array("head".utf8), [UInt8(i)], []])
        }
    }

    @Test func nonBlockingReceiveReturnsNilWhenEmpty() throws {
        let pull = try ZMQSocket(context: .shared, type: .pull)
        try pull.bind("tcp://127.0.0.1:*")
        defer { pull.close() }
        #expect(try pull.receive(dontWait: true) == nil)
    }

    @Test func errorsKeepErrnoAndTheCallName() throws {
        let socket = try ZMQSocket(context: .shared, type: .pull)
        defer { socket.close() }
        let error = try #require(throws: ZMQError.self) { try socket.bind("nonsense://nowhere") }
        #expect(error.call == "zmq_bind")
        #expect(error.errno != 0)
        #expect(error.detail == "nonsense://nowhere")
        #expect(error.description.contains("zmq_bind failed"))
    }

    @Test func bindingAPortTwiceFailsWithAddressInUse() throws {
        let first = try ZMQSocket(context: .shared, type: .pull)
        try first.bind("tcp://127.0.0.1:*")
        let second = try ZMQSocket(context: .shared, type: .pull)
        defer { first.close(); second.close() }
        let error = try #require(throws: ZMQError.self) { try second.bind(first.lastEndpoint) }
        #expect(error.errno == EADDRINUSE)
    }
}

@Suite struct SocketWorkerTests {
    @Test func workersExchangeMessagesAcrossThreads() async throws {
        let received = Locked<[[UInt8]]>([])
        let server = try SocketWorker(
            name: "t-pull", type: .pull, configure: { try $0.bind("tcp://127.0.0.1:*") },
            onReceive: { frames in received.withLock { $0.append(frames[0]) } })
        let client = try SocketWorker(name: "t-push", type: .push, configure: { [endpoint = server.boundEndpoint] in try $0.connect(endpoint) })
        for i in 0..<100 { #expect(client.send([[UInt8(i)]])) }
        let deadline = ContinuousClock.now + .seconds(5)
        while received.value.count < 100 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        #expect(received.value == (0..<100).map { [UInt8($0)] })
        await client.stop()
        await server.stop()
        #expect(client.send([[1]]) == false)
    }

    @Test func configureErrorsReachTheCaller() throws {
        #expect(throws: ZMQError.self) {
            _ = try SocketWorker(name: "t-bad", type: .pull, configure: { try $0.bind("tcp://256.0.0.1:1") })
        }
    }
}
