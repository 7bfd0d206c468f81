/// Zones joined by a meter between them — one zone's outlet, metered once as another's
/// inlet (L-Town's PUMP_1 from A into C) — are judged together: the downstream zone's
/// meter is part of the upstream zone's balance, so one insight replica must see both
/// zones' points. A group is named by its smallest zone id; a zone on its own is its own
/// group.
public struct BalanceGroups: Sendable, Equatable {
    private var parent: [String: String] = [:]

    /// `links`: each meter's zone and the other zone it takes water out of.
    public init(links: [(zone: String, outletOf: String)]) {
        for (a, b) in links where !a.isEmpty && !b.isEmpty && a != b {
            let (ra, rb) = (root(a), root(b))
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        // Flatten, so that a lookup is one step.
        for zone in Array(parent.keys) { parent[zone] = root(zone) }
    }

    public func group(of zone: String) -> String { root(zone) }

    private func root(_ zone: String) -> String {
        var z = zone
        while let p = parent[z], p != z { z = p }
        return z
    }
}
