/// Why a network could not be read or solved, with where.
public enum HydraulicsError: Error, Equatable, CustomStringConvertible {
    case syntax(line: Int, String)
    case duplicate(String, String)
    case unknownReference(line: Int, String)
    case unsupported(String)
    case notConverged(trials: Int, relativeError: Double)
    case singular(node: String)

    public var description: String {
        switch self {
        case .syntax(let line, let why): "line \(line): \(why)"
        case .duplicate(let what, let id): "\(what) '\(id)' is defined twice"
        case .unknownReference(let line, let why): "line \(line): \(why)"
        case .unsupported(let why): "not supported: \(why)"
        case .notConverged(let trials, let error):
            "no hydraulic solution after \(trials) trials (relative flow change \(error))"
        case .singular(let node): "node '\(node)' is not connected to any fixed-head node (tank or reservoir)"
        }
    }
}
