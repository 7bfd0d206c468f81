/// Holds each zone's scored points until their time can be judged once and for all, and
/// hands them on in one order — by time, then sensor — so that the detector sees the
/// same sequence however the points were batched, delayed or interleaved on the way.
///
/// A zone's *frontier* is the time up to which it is judged. It advances to the oldest
/// "newest point" among the zone's live sensors: a time slot is released once every live
/// sensor has reported it. A sensor is *quiet* — a data gap, not a reason to wait — when
/// its newest point is more than `latenessMs` of data time behind the zone's newest *and*
/// nothing of it has arrived for `quietAfterMs` of wall time. Both matter: a replay runs
/// through hours of data in a second, and a sensor whose points are merely in the next
/// batch is not quiet; in live operation data time is wall time, and a silent sensor
/// holds its zone back by `latenessMs`. A registered sensor that has not reported yet
/// counts as having reported just before the zone's first point, when it arrived.
///
/// A point at or behind its zone's frontier is not released (it is returned as
/// ``Admission/behind(frontierMs:)``): its slot was judged without it. The same readings
/// therefore give the same events unless a sensor's points come later than both bounds.
public struct ZoneSlotGate: Sendable {
    /// What became of a point offered to the gate.
    public enum Admission: Sendable, Equatable {
        /// Held until its slot is judged.
        case held
        /// The same sensor and time are already held; the first stands.
        case duplicate
        /// At or behind its zone's frontier: that slot was judged already.
        case behind(frontierMs: Int64)
    }

    private struct SlotKey: Hashable, Sendable {
        var tsMs: Int64
        var sensorID: String
    }

    private struct Zone: Sendable {
        /// Registered sensors (they are waited for before they have reported).
        var members: Set<String> = []
        var newestBySensor: [String: Int64] = [:]
        /// When each sensor's newest point arrived (wall clock).
        var arrivedBySensor: [String: Int64] = [:]
        var firstMs: Int64?
        /// When the zone's first point arrived (wall clock).
        var firstArrivedMs: Int64 = 0
        var pending: [SlotKey: ScoredPoint] = [:]
        var frontierMs: Int64 = .min
        /// Whether points arrived since the frontier was last computed.
        var touched = false
    }

    public let latenessMs: Int64
    public let quietAfterMs: Int64
    private var zones: [String: Zone] = [:]
    private var zoneOf: [String: String] = [:]

    /// - Parameters:
    ///   - latenessMs: data time a sensor may trail its zone before it can be quiet.
    ///   - quietAfterMs: wall time without a point before it is (0: data time alone).
    public init(latenessMs: Int64, quietAfterMs: Int64 = 0) {
        precondition(latenessMs >= 0 && quietAfterMs >= 0, "lateness is a duration")
        self.latenessMs = latenessMs
        self.quietAfterMs = quietAfterMs
    }

    /// Makes a sensor a member of its zone (it is waited for before it reports). A sensor
    /// that moved zones leaves the old one.
    public mutating func register(sensorID: String, zone: String) {
        if let previous = zoneOf[sensorID] {
            guard previous != zone else { return }
            withZone(previous) { z in
                z.members.remove(sensorID)
                z.newestBySensor.removeValue(forKey: sensorID)
                z.touched = true
            }
        }
        zoneOf[sensorID] = zone
        withZone(zone) { z in
            z.members.insert(sensorID)
            z.touched = true
        }
    }

    /// Offers a point, arrived at `nowMs` (wall clock); it is held until ``release(nowMs:)``
    /// finds its slot judgeable. `group`: the slots it waits in, when not its zone's own —
    /// zones judged together (a ``BalanceGroups`` group) share one frontier, so that the
    /// detector sees their points in one order.
    public mutating func add(_ p: ScoredPoint, nowMs: Int64 = 0, group: String? = nil) -> Admission {
        let name = group ?? p.zone
        if zoneOf[p.sensorID] != name { register(sensorID: p.sensorID, zone: name) }
        return withZone(name) { zone in
            guard p.tsMs > zone.frontierMs else { return .behind(frontierMs: zone.frontierMs) }
            let key = SlotKey(tsMs: p.tsMs, sensorID: p.sensorID)
            guard zone.pending[key] == nil else { return .duplicate }
            zone.pending[key] = p
            zone.newestBySensor[p.sensorID] = max(zone.newestBySensor[p.sensorID] ?? .min, p.tsMs)
            zone.arrivedBySensor[p.sensorID] = nowMs
            if zone.firstMs == nil { zone.firstArrivedMs = nowMs }
            zone.firstMs = min(zone.firstMs ?? p.tsMs, p.tsMs)
            zone.touched = true
            return .held
        }
    }

    /// The points whose slots can be judged at `nowMs` (wall clock), by time and then
    /// sensor, each once.
    public mutating func release(nowMs: Int64 = 0) -> [ScoredPoint] {
        var out: [ScoredPoint] = []
        let (lateness, quietAfter) = (latenessMs, quietAfterMs)
        // Names first: the zones are taken out and put back while they change. A zone
        // with points held may move on as time passes, without new points.
        for name in zones.compactMap({ $0.value.touched || (quietAfter > 0 && !$0.value.pending.isEmpty) ? $0.key : nil }) {
            withZone(name) { zone in
                zone.touched = false
                guard let frontier = Self.frontier(of: zone, latenessMs: lateness, quietAfterMs: quietAfter, nowMs: nowMs),
                    frontier > zone.frontierMs
                else { return }
                zone.frontierMs = frontier
                let ready = zone.pending.keys.filter { $0.tsMs <= frontier }
                for key in ready { out.append(zone.pending.removeValue(forKey: key)!) }
            }
        }
        return Self.ordered(out)
    }

    /// Everything still held, in the same order (the end of a finite replay).
    public mutating func releaseAll() -> [ScoredPoint] {
        var out: [ScoredPoint] = []
        for name in Array(zones.keys) {
            withZone(name) { zone in
                if let newest = zone.newestBySensor.values.max() { zone.frontierMs = max(zone.frontierMs, newest) }
                out += zone.pending.values
                zone.pending = [:]
                zone.touched = false
            }
        }
        return Self.ordered(out)
    }

    /// Points held, waiting for their slots.
    public var heldCount: Int { zones.values.reduce(0) { $0 + $1.pending.count } }

    /// The time up to which a zone is judged (nil: nothing released yet).
    public func frontierMs(zone: String) -> Int64? {
        guard let f = zones[zone]?.frontierMs, f > .min else { return nil }
        return f
    }

    /// Starts a zone judged up to `frontierMs` (restored from a checkpoint): points at or
    /// before it are behind.
    public mutating func resume(zone: String, frontierMs: Int64) {
        withZone(zone) { $0.frontierMs = max($0.frontierMs, frontierMs) }
    }

    /// Forgets zones (handed to another replica, or to be rebuilt): their held points
    /// are dropped and their frontier starts again.
    public mutating func forget(zones names: Set<String>) {
        for name in names {
            guard let zone = zones.removeValue(forKey: name) else { continue }
            // Membership stays known: it comes from the registry, not from the points.
            zones[name] = Zone(members: zone.members, touched: false)
        }
    }

    private static func ordered(_ points: [ScoredPoint]) -> [ScoredPoint] {
        points.sorted { ($0.tsMs, $0.sensorID, $0.zone) < ($1.tsMs, $1.sensorID, $1.zone) }
    }

    /// Mutates a zone in place: taken out of the dictionary while it changes, so its held
    /// points are not copied on every write.
    private mutating func withZone<R>(_ name: String, _ body: (inout Zone) -> R) -> R {
        var zone = zones.removeValue(forKey: name) ?? Zone()
        defer { zones[name] = zone }
        return body(&zone)
    }

    private static func frontier(of zone: Zone, latenessMs: Int64, quietAfterMs: Int64, nowMs: Int64) -> Int64? {
        guard let newest = zone.newestBySensor.values.max(), let first = zone.firstMs else { return nil }
        let watermark = newest - latenessMs
        var slowest = newest
        for id in zone.members.union(zone.newestBySensor.keys) {
            let seen = zone.newestBySensor[id] ?? (first - 1)
            let arrived = zone.arrivedBySensor[id] ?? zone.firstArrivedMs
            let quiet = seen < watermark && nowMs - arrived >= quietAfterMs
            if !quiet { slowest = min(slowest, seen) }
        }
        return slowest
    }
}
