import Foundation
import Logging
import Testing
import WaterlineProto
@testable import WaterlineBus

private let echo = RPCMethod<HealthRequest, HealthResponse>("/test.Echo/Health", idempotent: true)
private let slow = RPCMethod<HealthRequest, HealthResponse>("/test.Echo/Slow", idempotent: false)
private let failing = RPCMethod<HealthRequest, HealthResponse>("/test.Echo/Fail", idempotent: false)

@Suite struct RPCTests {
    private func withServer(_ body: (RPCServer, RPCClient) async throws -> Void) async throws {
        let server = try RPCServer(name: "test", bind: "tcp://127.0.0.1:*", logger: Logger(label: "test"))
        server.register(echo) { _, context in
            var reply = HealthResponse()
            reply.service = "echo"
            reply.detail = context.method
            return reply
        }
        server.register(slow) { _, _ in
            try await Task.sleep(for: .milliseconds(300))
            return HealthResponse()
        }
        server.register(failing) { _, _ in throw RPCError.invalidArgument("bad thing", field: "thing") }
        let serving = Task { await server.run() }
        // Generous: these tests check behaviour, and the whole suite shares two cores.
        let client = try RPCClient(name: "test", connect: [server.endpoint], timeout: .seconds(30))
        try await body(server, client)
        await client.close()
        server.beginShutdown()
        await serving.value
    }

    @Test func aCallReachesItsHandlerAndReturnsTheReply() async throws {
        try await withServer { _, client in
            let reply = try await client.call(echo, HealthRequest())
            #expect(reply.service == "echo")
            #expect(reply.detail == "/test.Echo/Health")
        }
    }

    @Test func handlerErrorsArriveWithCodeAndField() async throws {
        try await withServer { _, client in
            let error = await #expect(throws: RPCError.self) { try await client.call(failing, HealthRequest()) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.violations.first?.field == "thing")
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withServer { _, client in
            let reply = try await client.rawCall("/test.Echo/Nope", payload: [], timeout: .seconds(30))
            #expect(reply.status == .unimplemented)
            #expect(reply.error?.message.contains("unknown method") == true)
        }
    }

    @Test func malformedPayloadIsInvalidArgumentAndServerKeepsServing() async throws {
        try await withServer { _, client in
            let reply = try await client.rawCall(echo.name, payload: [0xFF, 0xFF, 0xFF, 0x0F], timeout: .seconds(30))
            #expect(reply.status == .invalidArgument)
            #expect(reply.error?.message.contains("not a valid") == true)
            let ok = try await client.call(echo, HealthRequest())
            #expect(ok.service == "echo")
        }
    }

    /// The call's own deadline applies, not the client's 30 s: under that, the handler's
    /// reply (after 300 ms) would have come in time. (No wall-clock bound: on two busy
    /// cores a timer may fire seconds late, which says nothing about the behaviour.)
    @Test func aCallWithoutReplyFailsAtItsDeadline() async throws {
        try await withServer { _, client in
            let error = await #expect(throws: RPCError.self) { try await client.call(slow, HealthRequest(), timeout: .milliseconds(50)) }
            #expect(error?.code == .deadlineExceeded)
        }
    }

    /// A server that says it is full gives a retry hint, and an idempotent call is
    /// sent again only after waiting at least that long.
    @Test func aFullServersHintIsHonouredBeforeTheRetry() async throws {
        let server = try RPCServer(name: "full", bind: "tcp://127.0.0.1:*", logger: Logger(label: "test"))
        let arrivals = Locked<[ContinuousClock.Instant]>([])
        server.register(echo) { _, _ in
            let n = arrivals.withLock { $0.append(.now); return $0.count }
            if n == 1 { throw RPCError.resourceExhausted("full", retryAfter: .milliseconds(400)) }
            return HealthResponse()
        }
        let serving = Task { await server.run() }
        let client = try RPCClient(name: "test", connect: [server.endpoint], timeout: .seconds(30))
        _ = try await client.call(echo, HealthRequest())
        let times = arrivals.value
        #expect(times.count == 2)
        if times.count == 2 { #expect(times[1] - times[0] >= .milliseconds(400)) }
        await client.close()
        server.beginShutdown()
        await serving.value
    }

    /// A call whose caller has already given up is dropped before its handler runs.
    @Test func aCallPastItsDeadlineIsDroppedUnserved() async throws {
        let server = try RPCServer(name: "late", bind: "tcp://127.0.0.1:*", logger: Logger(label: "test"))
        let served = Locked(0)
        server.register(echo) { _, _ in
            served.withLock { $0 += 1 }
            return HealthResponse()
        }
        let serving = Task { await server.run() }
        let client = try RPCClient(name: "test", connect: [server.endpoint], timeout: .seconds(30))
        // A deadline a second in the past, as a call that waited in a queue would carry.
        _ = try? await client.rawCall(echo.name, payload: [], timeout: .milliseconds(-1000))
        _ = try await client.call(echo, HealthRequest())
        for _ in 0..<100 where server.counters["rpc_dropped_expired"] == nil { try await Task.sleep(for: .milliseconds(50)) }
        #expect(server.counters["rpc_dropped_expired"] == 1)
        #expect(served.value == 1, "only the call in time reached its handler")
        await client.close()
        server.beginShutdown()
        await serving.value
    }

    @Test func concurrentCallsAreMatchedToTheirReplies() async throws {
        try await withServer { _, client in
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<50 { group.addTask { try await client.call(echo, HealthRequest()).service } }
                var count = 0
                for try await service in group { #expect(service == "echo"); count += 1 }
                #expect(count == 50)
            }
        }
    }

    @Test func shutdownFinishesCallsInFlight() async throws {
        let server = try RPCServer(name: "test", bind: "tcp://127.0.0.1:*", logger: Logger(label: "test"))
        let (started, startedContinuation) = AsyncStream<Void>.makeStream()
        server.register(slow) { _, _ in
            startedContinuation.yield()
            try await Task.sleep(for: .milliseconds(300))
            var r = HealthResponse()
            r.service = "finished"
            return r
        }
        let serving = Task { await server.run() }
        let client = try RPCClient(name: "test", connect: [server.endpoint], timeout: .seconds(10))
        async let reply = client.call(slow, HealthRequest())
        // Shut down once the call is in flight: it must still be answered.
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
        server.beginShutdown()
        #expect(try await reply.service == "finished")
        await serving.value
        await client.close()
    }
}

@Suite struct StreamTests {
    @Test func subscriberReceivesTopicsItAskedFor() async throws {
        let publisher = try StreamPublisher(name: "t", bind: "tcp://127.0.0.1:*")
        let subscriber = try StreamSubscriber(name: "t", connect: [publisher.endpoint], topics: ["raw."], tickMs: 50)
        // PUB/SUB joins asynchronously: publish until the subscription is live (a
        // generous deadline: the whole suite shares two cores at its start).
        var got: [StreamMessage] = []
        let deadline = ContinuousClock.now + .seconds(30)
        while got.isEmpty && ContinuousClock.now < deadline {
            publisher.publish(topic: "raw.1", payload: [1])
            publisher.publish(topic: "clean.1", payload: [2])
            try await Task.sleep(for: .milliseconds(50))
            got = await subscriber.nextBatch() ?? []
        }
        #expect(!got.isEmpty)
        #expect(got.allSatisfy { $0.topic == "raw.1" && $0.payload == [1] })
        await subscriber.close()
        #expect(await subscriber.nextBatch() == nil)
        await publisher.close()
    }

    @Test func gapDetectorReportsMissingSequences() {
        var detector = SequenceGapDetector()
        #expect(detector.observe(publisher: "p", key: "1", sequence: 5) == nil)  // baseline
        #expect(detector.observe(publisher: "p", key: "1", sequence: 6) == nil)
        let gap = detector.observe(publisher: "p", key: "1", sequence: 9)
        #expect(gap == SequenceGap(publisher: "p", key: "1", expected: 7, received: 9))
        #expect(gap?.missing == 2)
        #expect(detector.observe(publisher: "p", key: "2", sequence: 1) == nil)  // other key
        #expect(detector.observe(publisher: "p", key: "1", sequence: 1) == nil)  // publisher restarted
    }

    @Test func partitionsAreStableAndSpread() {
        let partitioner = Partitioner(count: 64)
        #expect(partitioner.partition(of: "north-p1") == partitioner.partition(of: "north-p1"))
        // FNV-1a of "a" is 0xE40C292C.
        #expect(Partitioner(count: 1 << 31).partition(of: "a") == 0xE40C_292C % (1 << 31))
        let used = Set((0..<1000).map { partitioner.partition(of: "sensor-\($0)") })
        #expect(used.count > 50)
    }
}
