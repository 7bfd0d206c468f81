import Foundation

extension EventDetector {
    /// Everything the detector holds about one zone: its sensors' windows, CUSUMs and
    /// night flows, the zone inflow detector's learnt shape, offset and spread, the steps
    /// kept for losses and localisation, and its open and recently ended events. Zones
    /// share nothing, so a zone's state can be saved, moved to another detector and
    /// restored there: fed the same points afterwards, both detectors then report the same
    /// changes.
    public struct ZoneState: Sendable, Codable {
        public let zone: String
        var members: [Member]
        var sensors: [String: SensorWindow]
        var lastSeen: [String: Int64]
        var pressureSteps: [String: [ResidualStep]]
        var inletSteps: [String: [InletStep]]
        var open: [String: DetectedEvent]
        var recentlyEnded: [String: DetectedEvent]
        var inflow: ZoneInflowTracker?
        /// Meters in other zones that take water out of this one.
        var externalOutlets: [String]?
        /// Its pressures against its demand.
        var pressureModel: PressureRegression?

        /// The events open in the zone.
        public var openEvents: [DetectedEvent] { open.values.sorted { $0.id < $1.id } }
        /// The zone events that ended and may still reopen.
        public var recentlyEndedEvents: [DetectedEvent] { recentlyEnded.values.sorted { $0.id < $1.id } }
        /// Whether the zone inflow detector has learnt the zone and judges its leaks.
        public var inflowIsJudging: Bool { inflow?.isJudging ?? false }
    }

    /// The zones the detector has state for.
    public var zones: [String] { members.keys.sorted() }

    /// A copy of one zone's state.
    public func state(ofZone zone: String) -> ZoneState {
        let members = sensorsInZone(zone)
        let ids = Set(members.map(\.id))
        return ZoneState(
            zone: zone, members: members, sensors: sensors.filter { ids.contains($0.key) },
            lastSeen: lastSeen.filter { ids.contains($0.key) }, pressureSteps: pressureSteps.filter { ids.contains($0.key) },
            inletSteps: inletSteps.filter { ids.contains($0.key) }, open: open.filter { $0.value.zone == zone },
            recentlyEnded: recentlyEnded.filter { $0.value.zone == zone }, inflow: zoneInflow[zone],
            externalOutlets: externalOutlets[zone].map { $0.sorted() }, pressureModel: pressureModels[zone])
    }

    /// Replaces what the detector holds about the state's zone with it.
    public mutating func restore(_ state: ZoneState) {
        forget(zone: state.zone)
        for m in state.members { setRole(m.id, zone: state.zone, role: m.role) }
        sensors.merge(state.sensors) { _, restored in restored }
        lastSeen.merge(state.lastSeen) { _, restored in restored }
        pressureSteps.merge(state.pressureSteps) { _, restored in restored }
        inletSteps.merge(state.inletSteps) { _, restored in restored }
        open.merge(state.open) { _, restored in restored }
        recentlyEnded.merge(state.recentlyEnded) { _, restored in restored }
        zoneInflow[state.zone] = state.inflow
        externalOutlets[state.zone] = state.externalOutlets.map(Set.init)
        pressureModels[state.zone] = state.pressureModel
    }

    /// Drops everything about a zone (handed to another replica, or about to be restored).
    public mutating func forget(zone: String) {
        for m in sensorsInZone(zone) {
            sensors[m.id] = nil
            lastSeen[m.id] = nil
            pressureSteps[m.id] = nil
            inletSteps[m.id] = nil
            roles[m.id] = nil
        }
        members[zone] = nil
        open = open.filter { $0.value.zone != zone }
        recentlyEnded = recentlyEnded.filter { $0.value.zone != zone }
        zoneInflow[zone] = nil
        externalOutlets[zone] = nil
        pressureModels[zone] = nil
    }
}

extension EventDetector.ZoneState {
    /// JSON, keys sorted, so equal states encode to equal bytes. Non-finite numbers (a
    /// CUSUM turned off has an infinite threshold) are kept as strings.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    public init(encoded data: Data) throws {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "+inf", negativeInfinity: "-inf", nan: "nan")
        self = try decoder.decode(Self.self, from: data)
    }
}
