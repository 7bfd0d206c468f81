import Testing
@testable import Gateway

@Suite struct RateLimiterTests {
    @Test func eachAddressHasItsAllowancePerWindow() async {
        let limiter = RateLimiter(limit: 2, window: .seconds(60), maxKeys: 3)
        let start = ContinuousClock.now
        #expect(await limiter.allow("10.0.0.1", now: start))
        #expect(await limiter.allow("10.0.0.1", now: start))
        #expect(await limiter.allow("10.0.0.1", now: start) == false)
        #expect(await limiter.allow("10.0.0.2", now: start))
        // The window turns: allowed again.
        #expect(await limiter.allow("10.0.0.1", now: start + .seconds(61)))
    }

    @Test func aFloodOfAddressesIsBoundedAndIPv6CountsBySlash64() async {
        let limiter = RateLimiter(limit: 1, window: .seconds(60), maxKeys: 2)
        let now = ContinuousClock.now
        #expect(await limiter.allow("2001:db8:1:2:aaaa::1", now: now))
        // Another address in the same /64 shares its allowance.
        #expect(await limiter.allow("2001:db8:1:2:bbbb::9", now: now) == false)
        #expect(await limiter.allow("10.0.0.1", now: now))
        // A third address while two are tracked: refused until the window turns.
        #expect(await limiter.allow("10.0.0.2", now: now) == false)
        #expect(RateLimiter.key("2001:db8::1") == "2001:db8:0:0::/64")
        #expect(RateLimiter.key("192.0.2.7") == "192.0.2.7")
    }
}
