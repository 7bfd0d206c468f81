/// Converts readings to one canonical unit per kind: pressure in bar, flow in m³/h,
/// level in metres. Units are matched without regard to case or spaces.
public enum Units {
    public enum Kind: Sendable {
        /// Flow also covers customer meters that report a flow rate.
        case pressure, flow, level
    }

    public static func canonical(_ kind: Kind) -> String {
        switch kind {
        case .pressure: "bar"
        case .flow: "m3/h"
        case .level: "m"
        }
    }

    /// The conversion of `unit` to the kind's canonical unit, or nil for an unknown unit.
    /// `%` for a level needs the tank's height (metres at 100%).
    public static func converter(from unit: String, kind: Kind, tankHeightM: Double? = nil) -> (@Sendable (Double) -> Double)? {
        let u = unit.lowercased().filter { !$0.isWhitespace }
        switch kind {
        case .pressure:
            switch u {
            case "bar": return { $0 }
            case "kpa": return { $0 / 100 }
            case "psi": return { $0 * 0.068_947_572_9 }
            // Metres of water head: ρ·g·h = 1000 kg/m³ × 9.80665 m/s² × 1 m = 0.0980665 bar.
            case "m", "mh2o", "mwc": return { $0 * 0.098_066_5 }
            default: return nil
            }
        case .flow:
            switch u {
            case "m3/h", "m³/h": return { $0 }
            case "l/s": return { $0 * 3.6 }
            case "gpm": return { $0 * 0.227_124_707 }  // US gallons per minute
            default: return nil
            }
        case .level:
            switch u {
            case "m": return { $0 }
            case "%":
                guard let height = tankHeightM, height > 0 else { return nil }
                return { $0 / 100 * height }
            default: return nil
            }
        }
    }
}
