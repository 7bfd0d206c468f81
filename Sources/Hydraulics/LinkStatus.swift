/// A link's hydraulic state, EPANET's StatusType in its order: every state below `open`
/// is closed.
public enum LinkStatus: Int, Sendable, Comparable, CustomStringConvertible {
    /// A pump asked for more head than it can make at its speed.
    case xhead
    /// Closed for now: a check valve against reverse flow, a link into a full (or out of an
    /// empty) tank, a constant-power pump with no flow.
    case tempClosed
    case closed
    case open
    /// A control valve regulating: a PRV or PSV holding its pressure, an FCV its flow, a
    /// TCV or PBV at its setting.
    case active
    case xflow
    /// An FCV that cannot pass its set flow (left open).
    case xfcv
    /// A PRV or PSV that cannot hold its setting (left open).
    case xpressure

    public var isClosed: Bool { self <= .closed }

    public static func < (a: LinkStatus, b: LinkStatus) -> Bool { a.rawValue < b.rawValue }

    /// As EPANET's reports (and wntr) name it: open, closed or active.
    public var description: String {
        switch self {
        case .xhead, .tempClosed, .closed: "closed"
        case .active: "active"
        case .open, .xflow, .xfcv, .xpressure: "open"
        }
    }
}
