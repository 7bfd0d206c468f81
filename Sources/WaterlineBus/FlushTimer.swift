/// Runs an action once, `interval` after the first request since it last ran: for writers
/// that gather changes and write them in one go at most every interval.
public final class FlushTimer: Sendable {
    private let interval: Duration
    private let armed = Locked(false)

    public init(interval: Duration) {
        self.interval = interval
    }

    /// Schedules `action` unless it is scheduled already.
    public func arm(_ action: @escaping @Sendable () async -> Void) {
        guard armed.withLock({ armed -> Bool in
            defer { armed = true }
            return !armed
        }) else { return }
        let interval = interval
        Task { [armed] in
            try? await Task.sleep(for: interval)
            armed.withLock { $0 = false }
            await action()
        }
    }
}
