import Detection
import Foundation
import WaterlineBus
import WaterlineProto

/// The detector and the events it produced, with their operator lifecycle. One actor,
/// so detection and operator actions on the same event never interleave.
actor EventBook {
    private var detector: EventDetector
    private var events: [String: Event] = [:]
    private var tariffPerM3: Double
    /// Where each sensor seen so far is, for location candidates.
    private var places: [String: SensorPlace] = [:]
    /// The network model, when one is configured.
    private var network: NetworkLocation?
    /// The pressure residuals each event was last located from, so a location is
    /// recomputed only when they change (they settle after the event's first points).
    private var locatedFrom: [String: [String: Double]] = [:]

    /// Prices losses from now on (an open event's revenue follows at its next update).
    func setTariff(_ tariff: Double) {
        tariffPerM3 = tariff
    }

    init(config: EventDetector.Config, tariffPerM3: Double = 0, network: NetworkLocation? = nil) {
        detector = EventDetector(config: config)
        self.tariffPerM3 = tariffPerM3
        self.network = network
    }

    /// Tells the detector the registry's sensors of the zones about to be judged (and the
    /// meters that leave them), before their points: a zone's balance then waits for
    /// every member from its first step on, whatever order the first points arrive in.
    func register(_ sensors: [Sensor]) {
        for sensor in sensors { detector.register(sensor) }
    }

    /// Feeds scores; returns the events that changed, each once, with their change.
    /// Replayed after a restart, the same scores change the stored events in the same way
    /// and add no history twice.
    /// Returns each changed event once, with its change and the trace id of the reading
    /// behind its last change.
    func observe(_ points: [ScoredPoint], sensors: [String: Sensor] = [:]) -> [(Event, EventChange, String)] {
        for (id, sensor) in sensors { places[id] = SensorPlace(lat: sensor.lat, lon: sensor.lon, nodeID: sensor.nodeID) }
        // A meter between zones joins the other zone's balance before any point of the
        // batch completes a step of it.
        for p in points where !p.outletOfZone.isEmpty { detector.registerOutlet(sensorID: p.sensorID, ofZone: p.outletOfZone) }
        var changed: [String: EventChange] = [:]
        var causes: [String: String] = [:]
        var order: [String] = []
        for point in points {
            for change in detector.observe(point) {  // DetectionChange
                let detected = change.event
                let known = events[detected.id]
                var event = known ?? Event()
                let topPipe = event.topPipe
                event.merge(detected, tariffPerM3: tariffPerM3, places: places, location: networkLocation(detected, current: event))
                if let pipe = event.topPipe, pipe != topPipe { event.locatedMs = point.tsMs }
                if case .ended = change { locatedFrom[detected.id] = nil }
                event.updatedMs = nowMs()
                // An opening seen again (replayed) is not a reopening: only an event that
                // had ended reopens.
                let reopened: Bool = if case .opened = change, let known, known.endMs != 0 { true } else { false }
                if known == nil {
                    event.status = .open
                    event.raisedWallMs = nowMs()
                    event.recordOnce(action("opened", actor: "insight", comment: detected.summary))
                } else if reopened {
                    event.recordOnce(action("reopened", actor: "insight", comment: "the evidence returned by \(isoTimeMs(detected.lastEvidenceMs))"))
                } else if case .ended = change {
                    event.recordOnce(action("ended", actor: "insight", comment: "no evidence since \(isoTimeMs(detected.lastEvidenceMs))"))
                }
                events[detected.id] = event
                causes[detected.id] = point.traceID
                if changed[detected.id] == nil { order.append(detected.id) }
                // An event opened in this batch is reported as opened, whatever followed.
                if changed[detected.id] != .opened { changed[detected.id] = known == nil || reopened ? .opened : .updated }
            }
        }
        return order.compactMap { id in events[id].map { ($0, changed[id]!, causes[id] ?? "") } }
    }

    // MARK: Zones

    /// What the detector holds about a zone, for a checkpoint.
    func state(ofZone zone: String) -> EventDetector.ZoneState { detector.state(ofZone: zone) }

    /// Forgets a zone: given up, or about to be rebuilt.
    func forget(zone: String) {
        detector.forget(zone: zone)
        for (id, event) in events where event.zone == zone {
            events[id] = nil
            locatedFrom[id] = nil
        }
    }

    /// Takes up a zone's detector state (nil: none saved, it learns afresh) and the
    /// zone's stored events that a replay may change, so that their history and the
    /// operators' changes are kept.
    func restore(zone: String, state: EventDetector.ZoneState?, stored: [Event]) {
        forget(zone: zone)
        if let state { detector.restore(state) }
        for event in stored where event.zone == zone { events[event.eventID] = event }
    }

    /// Replaces the book's copy of an event with the stored one (another replica or an
    /// operator changed it meanwhile).
    func refresh(_ event: Event) {
        guard events[event.eventID] != nil else { return }
        events[event.eventID] = event
    }

    /// Where a leak or burst is on the network model, when one is configured and locates
    /// it: recomputed only when its pressure residuals changed (else `current`'s stands).
    private func networkLocation(_ d: DetectedEvent, current: Event) -> (candidates: [LocationCandidate], note: String)? {
        guard d.type == .leak || d.type == .burst, network != nil else { return nil }
        if let residuals = locatedFrom[d.id], residuals == d.pressureResiduals {
            return (current.candidates, current.locationNote)
        }
        // Through the stored model, so the locators it builds stay cached.
        guard let located = network?.locate(
            residualsBar: d.pressureResiduals, againstDemand: d.residualsAgainstDemandFromMs != nil, places: places) else { return nil }
        locatedFrom[d.id] = d.pressureResiduals
        return located
    }

    /// Applies an operator action to the stored event (the one authority: another
    /// replica may own its zone). The book's own copy, if it holds one, follows.
    func apply(_ request: UpdateEventRequest, to stored: Event) throws(RPCError) -> (Event, EventChange) {
        var event = stored
        let change: EventChange
        switch request.action {
        case .acknowledge:
            guard event.status == .open else {
                throw RPCError.failedPrecondition("event is \(event.status.label); only open events can be acknowledged")
            }
            event.status = .acknowledged
            event.acknowledgedBy = request.actor
            event.acknowledgedMs = nowMs()
            change = .acknowledged
        case .resolve, .falsePositive:
            guard event.status == .open || event.status == .acknowledged else {
                throw RPCError.failedPrecondition("event is already \(event.status.label)")
            }
            event.status = request.action == .resolve ? .resolved : .falsePositive
            event.resolvedBy = request.actor
            event.resolvedMs = nowMs()
            change = request.action == .resolve ? .resolved : .falsePositive
        case .comment:
            guard !request.comment.isEmpty else { throw RPCError.invalidArgument("a comment needs text", field: "comment") }
            change = .updated
        case .confirmLeak, .confirmSensorFault:
            // A label for training, whatever the status: what the crew found.
            change = .updated
        case .publicReport:
            event.publicReports += 1
            change = .updated
        default:
            throw RPCError.invalidArgument(
                "action must be acknowledge, resolve, false_positive, comment, confirm_leak or confirm_sensor_fault",
                field: "action")
        }
        if let label = request.action.eventLabel {
            event.label = label
            event.labelledBy = request.actor
            event.labelledMs = nowMs()
        }
        event.history.append(action(request.action.label, actor: request.actor, comment: request.comment))
        event.updatedMs = nowMs()
        return (event, change)
    }

    private func action(_ name: String, actor: String, comment: String) -> EventAction {
        var a = EventAction()
        a.action = name
        a.actor = actor
        a.atMs = nowMs()
        a.comment = comment
        return a
    }
}

extension EventActionType {
    var label: String {
        switch self {
        case .acknowledge: "acknowledge"
        case .resolve: "resolve"
        case .falsePositive: "false_positive"
        case .comment: "comment"
        case .confirmLeak: "confirm_leak"
        case .confirmSensorFault: "confirm_sensor_fault"
        case .publicReport: "public_report"
        default: "unspecified"
        }
    }

    /// The label an action gives the event, if it is a labelling one.
    var eventLabel: String? {
        switch self {
        case .confirmLeak: "leak"
        case .confirmSensorFault: "sensor_fault"
        case .falsePositive: "false_positive"
        default: nil
        }
    }
}

extension Event {
    /// Adds a history entry unless the same one (action, actor, comment) is there: what
    /// detection records is a function of the data, so a replay finds it recorded.
    mutating func recordOnce(_ entry: EventAction) {
        guard !history.contains(where: { $0.action == entry.action && $0.actor == entry.actor && $0.comment == entry.comment }) else { return }
        history.append(entry)
    }
}

/// UTC time of an epoch-millisecond instant, to the minute, for history comments.
private func isoTimeMs(_ ms: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
}
