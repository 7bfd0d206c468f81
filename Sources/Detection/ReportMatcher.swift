import Foundation

/// Which open events a member of the public's leak report is about.
///
/// With a position: every event with a place (a location candidate, one of its sensors,
/// a sensor of its zone) within `radiusMetres`. Without one, or for an event with no
/// known place: the events whose zone the report's locality names (as a whole word,
/// any case). Reports that say "no leak suspected" still match: a remark such as "low
/// pressure since this morning" corroborates a burst as well.
public struct ReportMatcher: Sendable {
    public struct OpenEvent: Sendable {
        public var eventID: String
        public var zone: String
        public var places: [GeoPoint]

        public init(eventID: String, zone: String, places: [GeoPoint]) {
            self.eventID = eventID
            self.zone = zone
            self.places = places
        }
    }

    public var radiusMetres: Double

    public init(radiusMetres: Double = 1000) {
        self.radiusMetres = radiusMetres
    }

    /// The matched events' ids, in the order given.
    public func match(position: GeoPoint?, locality: String, events: [OpenEvent]) -> [String] {
        let words = Set(locality.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "-" && $0 != "_" }.map(String.init))
        return events.filter { event in
            let places = event.places.filter(\.isValid)
            if let position, position.isValid, !places.isEmpty {
                return places.contains { $0.metres(to: position) <= radiusMetres }
            }
            return !event.zone.isEmpty && words.contains(event.zone.lowercased())
        }.map(\.eventID)
    }
}
