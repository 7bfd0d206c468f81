import Mongo

/// What a write did to one point of a series.
public enum SeriesOutcome: Sendable, Equatable {
    /// The point was not stored before: stored now.
    case stored
    /// The same point was stored before: nothing changed.
    case duplicate
    /// A stored point was replaced: a reading's conflicting value (the old value kept in
    /// `superseded`), or a clean point's or score's correction (a higher revision).
    case replaced
}

/// How a series merges a point written again into the version it holds. Points are
/// documents in their stored form (`RawReading.document` etc., without `_id`,
/// `sensor_id` and `ts_ms`). Pure, so the guarantees are tested without a database.
public enum SeriesRule: String, Sendable {
    /// Raw readings: the same value again is a duplicate; a different value replaces the
    /// stored one (last writer wins), which is kept in the point's `superseded` list.
    case readings
    /// Clean points: a first version (revision ≤ 1) stored before is a duplicate; a
    /// correction (a higher revision) replaces the live version, an older one does not.
    /// The first version a correction replaces is kept in its `first`: the model, catching
    /// up from `clean`, scores it and then the correction, as the live stream carried them.
    case clean
    /// Scores: a first revision stored before is a duplicate; a correction is kept beside
    /// the first revision, in `corrected` (the live stream's first revision is what insight
    /// judged, so a replay judges it again; readers of the series see the correction).
    case scores

    /// The point to store instead of `stored` (nil: nothing changes) and what it means.
    public func merge(stored: Document?, incoming: Document) -> (point: Document?, outcome: SeriesOutcome) {
        switch self {
        case .readings: mergeReading(stored: stored, incoming: incoming)
        case .clean: mergeCleanPoint(stored: stored, incoming: incoming)
        case .scores: mergeScore(stored: stored, incoming: incoming)
        }
    }

    private func mergeReading(stored: Document?, incoming: Document) -> (point: Document?, outcome: SeriesOutcome) {
        guard let stored else { return (incoming, .stored) }
        guard stored["value"] != incoming["value"] else { return (nil, .duplicate) }
        var replaced = stored
        replaced["value"] = incoming["value"]
        replaced["received_ms"] = incoming["received_ms"]
        replaced["trace_id"] = incoming["trace_id"]
        replaced["conflict"] = .bool(true)
        let superseded: BSON = ["value": stored["value"] ?? .null, "received_ms": stored["received_ms"] ?? .null]
        replaced["superseded"] = .array((stored["superseded"]?.arrayValue ?? []) + [superseded])
        return (replaced, .replaced)
    }

    private func mergeCleanPoint(stored: Document?, incoming: Document) -> (point: Document?, outcome: SeriesOutcome) {
        let revision = Self.revision(of: incoming)
        guard let stored else { return (incoming, revision > 1 ? .replaced : .stored) }
        guard revision > 1 else {
            // A first version after its correction (a write that overtook it): kept
            // beside it, as if it had come first.
            guard Self.revision(of: stored) > 1, stored["first"] == nil else { return (nil, .duplicate) }
            var point = stored
            point["first"] = .document(incoming)
            return (point, .replaced)
        }
        guard revision >= Self.revision(of: stored), !Self.same(stored.without("first"), incoming.without("first")) else {
            return (nil, .duplicate)
        }
        var point = incoming
        if point["first"] == nil {
            if let first = stored["first"] {
                point["first"] = first
            } else if Self.revision(of: stored) <= 1 {
                point["first"] = .document(stored)
            }
        }
        return (point, .replaced)
    }

    private func mergeScore(stored: Document?, incoming: Document) -> (point: Document?, outcome: SeriesOutcome) {
        let revision = Self.revision(of: incoming)
        guard let stored else {
            guard revision > 1 else { return (incoming, .stored) }
            // A correction whose first revision was never stored stands in for it.
            var point = incoming
            point["corrected"] = .document(incoming)
            return (point, .replaced)
        }
        guard revision > 1 else { return (nil, .duplicate) }
        let live = stored["corrected"]?.documentValue ?? stored
        guard revision >= Self.revision(of: live), !Self.same(live, incoming) else { return (nil, .duplicate) }
        var point = stored
        point["corrected"] = .document(incoming)
        return (point, .replaced)
    }

    private static func revision(of point: Document) -> Int64 { point["revision"]?.int64Value ?? 1 }

    /// The same fields and values, in whatever order.
    private static func same(_ a: Document, _ b: Document) -> Bool {
        a.fields.count == b.fields.count && a.fields.allSatisfy { b[$0.key] == $0.value }
    }
}

extension Document {
    /// The document without one of its fields.
    func without(_ key: String) -> Document { Document(fields.filter { $0.key != key }.map { ($0.key, $0.value) }) }
}
