import WaterlineBus
import WaterlineProto

/// Open events and what they are losing, per zone (the `Summary` RPC).
enum EventSummary {
    static func make(_ events: [Event]) -> SummaryResponse {
        var zones: [String: ZoneSummary] = [:]
        for e in events {
            var z = zones[e.zone] ?? ZoneSummary()
            z.zone = e.zone
            z.openEvents += 1
            z.openByType[e.type.label, default: 0] += 1
            if e.hasLoss {
                z.lossM3 += e.loss.volumeM3
                z.revenue += e.loss.revenue
                // An event that has ended loses nothing now.
                if e.endMs == 0 { z.currentExcessM3H += max(0, e.loss.currentFlowM3H) }
            }
            zones[e.zone] = z
        }
        var reply = SummaryResponse()
        reply.zones = zones.values.sorted { $0.zone < $1.zone }
        reply.generatedMs = nowMs()
        return reply
    }
}
