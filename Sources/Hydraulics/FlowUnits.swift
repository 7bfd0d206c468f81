/// EPANET's flow units. The flow unit also fixes the rest: US customary units (ft, in,
/// psi) go with cfs, gpm, mgd, imgd and afd; SI (m, mm, m of head) with the others.
public enum FlowUnits: String, Sendable, CaseIterable {
    case cfs = "CFS", gpm = "GPM", mgd = "MGD", imgd = "IMGD", afd = "AFD"
    case lps = "LPS", lpm = "LPM", mld = "MLD", cmh = "CMH", cmd = "CMD", cms = "CMS"

    public var isSI: Bool {
        switch self {
        case .cfs, .gpm, .mgd, .imgd, .afd: false
        default: true
        }
    }

    /// User flow units per cfs (EPANET's conversion constants, so results agree with it).
    public var perCFS: Double {
        switch self {
        case .cfs: 1
        case .gpm: 448.831
        case .mgd: 0.64632
        case .imgd: 0.5382
        case .afd: 1.9837
        case .lps: 28.317
        case .lpm: 1699.0
        case .mld: 2.4466
        case .cmh: 101.94
        case .cmd: 2446.6
        case .cms: 0.028317
        }
    }
}

/// Conversions between a file's units and EPANET's internal ones (ft, cfs).
struct HydraulicUnits: Sendable {
    static let metresPerFoot = 0.3048
    static let psiPerFoot = 0.4333
    /// m³/s per cfs.
    static let cubicMetresPerCubicFoot = 0.3048 * 0.3048 * 0.3048

    let flowUnits: FlowUnits
    let specificGravity: Double

    /// User length or elevation per foot.
    var length: Double { flowUnits.isSI ? Self.metresPerFoot : 1 }
    /// User diameter unit (mm or in) per foot.
    var diameter: Double { flowUnits.isSI ? 304.8 : 12 }
    /// User pressure unit (m or psi) per foot of head.
    var pressure: Double { specificGravity * (flowUnits.isSI ? Self.metresPerFoot : Self.psiPerFoot) }
    var flow: Double { flowUnits.perCFS }
    /// User volume (m³ or ft³) per ft³.
    var volume: Double { flowUnits.isSI ? Self.cubicMetresPerCubicFoot : 1 }
    /// Darcy–Weisbach roughness: mm or millifeet per foot.
    var roughness: Double { flowUnits.isSI ? 1000 * Self.metresPerFoot : 1000 }
}
