import Cleaning
import WaterlineProto

extension Sensor {
    /// The unit family of the sensor's readings (meters report a flow rate).
    public var unitKind: Units.Kind? {
        switch kind {
        case .pressure: .pressure
        case .flow, .meter: .flow
        case .level: .level
        default: nil
        }
    }

    /// Converts this sensor's readings to the canonical unit of its kind, or nil when its
    /// unit is not known. (`%` for a level needs the tank height, which the registry does
    /// not hold yet, so it is not accepted.)
    public var toCanonical: (@Sendable (Double) -> Double)? {
        guard let unitKind else { return nil }
        return Units.converter(from: unit, kind: unitKind)
    }

    /// Converts a reading sent in `unit` (empty: the registered one) to the canonical
    /// unit of the sensor's kind, or nil when that unit does not fit the kind.
    public func toCanonical(from unit: String) -> (@Sendable (Double) -> Double)? {
        guard !unit.isEmpty else { return toCanonical }
        guard let unitKind else { return nil }
        return Units.converter(from: unit, kind: unitKind)
    }
}
