import Foundation

/// How long a client waits before resending a call that failed retryably: exponential
/// growth with jitter, and never sooner than the server's own retry hint.
///
/// Why jitter: clients that time out together and resend after the same fixed pause
/// arrive together again, at the moment the server is slowest. Drawing each wait from
/// the upper half of the exponential step spreads them out while keeping the growth
/// ("equal jitter" in AWS's analysis of backoff schemes).
public struct Backoff: Sendable {
    public var initial: Duration
    public var maximum: Duration
    /// Waits so far.
    public private(set) var attempts = 0

    public init(initial: Duration = .milliseconds(100), maximum: Duration = .seconds(5)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The next wait: in [step/2, step] for step = min(maximum, initial · 2^attempts),
    /// and at least `hint` (the server's RESOURCE_EXHAUSTED retry hint) plus up to a
    /// tenth of it, so clients told the same hint do not return in step.
    public mutating func next(hint: Duration? = nil, using random: inout some RandomNumberGenerator) -> Duration {
        let stepMs = min(maximum.totalMilliseconds, initial.totalMilliseconds * pow(2, Double(min(attempts, 30))))
        attempts += 1
        var waitMs = Double.random(in: (stepMs / 2)...max(stepMs / 2, stepMs), using: &random)
        if let hint, hint.totalMilliseconds > 0 {
            let hintMs = hint.totalMilliseconds
            waitMs = max(waitMs, hintMs + Double.random(in: 0...(hintMs / 10), using: &random))
        }
        return .milliseconds(Int64(waitMs.rounded(.up)))
    }

    public mutating func next(hint: Duration? = nil) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return next(hint: hint, using: &generator)
    }

    /// Starts over after a success.
    public mutating func reset() { attempts = 0 }

}

extension Duration {
    /// The duration in milliseconds, with fractions.
    public var totalMilliseconds: Double {
        Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
    }
}

extension RPCError {
    /// Whether resending the same call later can succeed: the server was busy, down or
    /// slow, not the request wrong.
    public var isRetryable: Bool {
        [.unavailable, .deadlineExceeded, .resourceExhausted].contains(code)
    }

    /// The server's retry hint as a duration (nil when it gave none).
    public var retryAfter: Duration? {
        retryAfterMs > 0 ? .milliseconds(retryAfterMs) : nil
    }
}
