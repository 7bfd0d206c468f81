import Foundation

/// EPANET's linearisation of each link's head loss at the current flow, as the global
/// gradient algorithm needs it: `p` = 1 / (d head loss / d flow) and `y` = head loss / gradient
/// (the flow correction). Internal units (ft, cfs). Formulas and guards follow EPANET 2.2
/// (hydcoeffs.c) so that heads and flows agree with it.
enum LinkCoefficients {
    static let cBig = 1e8
    static let cSmall = 1e-6
    /// Smallest head-loss gradient before the head-loss curve is made linear.
    static let rqTol = 1e-7

    /// A link that carries (almost) nothing.
    static func closed(flow q: Double) -> (p: Double, y: Double) { (1 / cBig, q) }

    /// Hazen–Williams or Chezy–Manning pipe: h = r·|q|^n + km·q².
    static func pipe(flow: Double, r: Double, exponent n: Double, km: Double) -> (p: Double, y: Double) {
        let q = abs(flow)
        var hgrad = n * r * pow(q, n - 1)
        var hloss: Double
        if hgrad < rqTol {
            hgrad = rqTol
            hloss = hgrad * q
        } else {
            hloss = hgrad * q / n
        }
        if km > 0 {
            hloss += km * q * q
            hgrad += 2 * km * q
        }
        hloss *= flow < 0 ? -1 : 1
        return (1 / hgrad, hloss / hgrad)
    }

    /// Darcy–Weisbach pipe with the Swamee–Jain friction factor (Dunlop's interpolation
    /// between Re 2000 and 4000, Hagen–Poiseuille below). `r` = L / (2 g d A²),
    /// `e` = roughness / diameter, `s` = viscosity × diameter.
    static func darcyWeisbach(flow: Double, r: Double, km: Double, e: Double, s: Double) -> (p: Double, y: Double) {
        let q = abs(flow)
        let hloss: Double
        let hgrad: Double
        if q <= 500 * Double.pi * s {
            let rl = 16 * Double.pi * s * r
            hloss = flow * (rl + km * q)
            hgrad = rl + 2 * km * q
        } else {
            let (f, dfdq) = frictionFactor(q: q, e: e, s: s)
            let r1 = f * r + km
            hloss = r1 * q * flow
            hgrad = 2 * r1 * q + dfdq * r * q * q
        }
        return (1 / hgrad, hloss / hgrad)
    }

    static func frictionFactor(q: Double, e: Double, s: Double) -> (f: Double, dfdq: Double) {
        let a2 = 500 * Double.pi, a8 = 4.61841319859066668690, a9 = -0.868588963806503655300
        let ab = 3.28895476345399058690e-03, ac = -5.14214965799093883760e-03
        let w = q / s
        if w >= 1000 * Double.pi {
            let y1 = a8 / pow(w, 0.9)
            let y2 = e / 3.7 + y1
            let y3 = a9 * log(y2)
            let f = 1 / (y3 * y3)
            return (f, 1.8 * f * y1 * a9 / y2 / y3 / q)
        }
        let y2 = e / 3.7 + ab
        let y3 = a9 * log(y2)
        let fa = 1 / (y3 * y3)
        let fb = (2 + ac / (y2 * y3)) * fa
        let r = w / a2
        let x1 = 7 * fa - fb
        let x2 = 0.128 - 17 * fa + 2.5 * fb
        let x3 = -0.128 + 13 * fa - (fb + fb)
        let x4 = 0.032 - 3 * fa + 0.5 * fb
        return (x1 + r * (x2 + r * (x3 + r * x4)), (x2 + r * (2 * x3 + r * 3 * x4)) / s / a2)
    }

    /// A pump: head loss = −(head gain) from its curve at `speed`.
    static func pump(flow: Double, curve: PumpCurve, speed: Double) -> (p: Double, y: Double) {
        let q = abs(flow)
        switch curve {
        case .power(let h0, let r, let n, _, _):
            let h = speed * speed * h0
            let rs = r * pow(speed, 2 - n)
            if abs(n - 1) < 1e-6 {
                return (1 / rs, (h + rs * flow) / rs)
            }
            var hgrad = n * rs * pow(q, n - 1)
            let hloss: Double
            if hgrad < rqTol {
                hgrad = rqTol
                hloss = h + hgrad * flow
            } else {
                hloss = h + hgrad * flow / n
            }
            return (1 / hgrad, hloss / hgrad)
        case .piecewise(let x, let y):
            let (h0, slope) = segment(x: x, y: y, at: q / speed)
            let hgrad = -slope * speed
            let hloss = -h0 * speed * speed + hgrad * flow
            return (1 / hgrad, hloss / hgrad)
        case .constantPower(let r):
            let rs = r * speed * speed * speed  // EPANET: n = −1, so r·speed^(2−n)
            var hgrad = -rs / q / q
            let hloss: Double
            if hgrad > cBig {
                hgrad = cBig
                hloss = -hgrad * flow
            } else if hgrad < rqTol {
                hgrad = rqTol
                hloss = -hgrad * flow
            } else {
                hloss = rs / flow
            }
            return (1 / hgrad, hloss / hgrad)
        }
    }

    /// Intercept and slope of the curve segment that holds `q` (extended at the ends).
    static func segment(x: [Double], y: [Double], at q: Double) -> (h0: Double, slope: Double) {
        var k2 = 0
        while k2 < x.count && x[k2] < q { k2 += 1 }
        if k2 == 0 { k2 = 1 } else if k2 == x.count { k2 -= 1 }
        let k1 = k2 - 1
        let slope = (y[k2] - y[k1]) / (x[k2] - x[k1])
        return (y[k1] - slope * x[k1], slope)
    }

    /// EPANET's `valvecoeff`: a closed valve carries next to nothing; an open one (or a TCV
    /// at its loss coefficient) has its minor loss only, or a tiny linear one.
    static func valve(flow: Double, km: Double, closed: Bool) -> (p: Double, y: Double) {
        if closed { return self.closed(flow: flow) }
        guard km > 0 else { return (1 / cSmall, flow) }
        let q = abs(flow)
        var hgrad = 2 * km * q
        let hloss: Double
        if hgrad < rqTol {
            hgrad = rqTol
            hloss = flow * hgrad
        } else {
            hloss = flow * hgrad / 2
        }
        return (1 / hgrad, hloss / hgrad)
    }

    /// An emitter modelled as a link to a reservoir at the node's elevation: h = ke·|q|^n.
    static func emitter(flow q: Double, ke: Double, exponent n: Double) -> (hloss: Double, hgrad: Double) {
        let k = max(cSmall, ke)
        var hgrad = n * k * pow(abs(q), n - 1)
        if hgrad < rqTol {
            hgrad = rqTol
            return (hgrad * q, hgrad)
        }
        return (hgrad * q / n, hgrad)
    }

    /// A GPV: the segment of its head-loss curve (flow → loss) that holds the flow.
    static func generalValve(flow: Double, curveX: [Double], curveY: [Double]) -> (p: Double, y: Double) {
        let q = max(abs(flow), tiny)
        let (h0, slope) = segment(x: curveX, y: curveY, at: q)
        let r = max(slope, tiny)
        return (1 / r, (h0 / r + q) * (flow < 0 ? -1 : 1))
    }

    static let tiny = 1e-6
    /// EPANET's MINPDIFF (ft): the narrowest pressure range a pressure-driven demand varies over.
    static let minimumPressureRange = 0.1

    /// A pressure-driven demand as a loss through the junction's outlet (EPANET's
    /// `demandheadloss`): h = range·(d / full)^n between none and all of it, with steep
    /// barriers that keep the delivered demand within 0...full.
    static func pressureDemand(delivered d: Double, full: Double, range: Double, exponent n: Double) -> (hloss: Double, hgrad: Double) {
        let r = d / full
        if r <= 0 { return (cBig * d, cBig) }
        if r < 1 {
            let hgrad = n * range * pow(r, n - 1) / full
            if hgrad < rqTol { return (rqTol * d, rqTol) }
            return (hgrad * d / n, hgrad)
        }
        return (range + cBig * (d - full), cBig)
    }
}

/// A pump's head curve in internal units, the way EPANET classifies it.
enum PumpCurve: Sendable {
    /// Head gain a − b·q^c, stored as head loss h0 + r·q^n (h0 = −a, r = b, n = c);
    /// `shutoff` is the head at zero flow, `designFlow` the flow to start from.
    case power(h0: Double, r: Double, n: Double, shutoff: Double, designFlow: Double)
    /// A multi-point curve, linear between points (flow, head gain).
    case piecewise(x: [Double], y: [Double])
    /// Constant power: head gain = −r / q.
    case constantPower(r: Double)

    /// From a curve in the file's units (one point, or three with the first at zero flow,
    /// give a power function; others are piecewise).
    static func make(points curve: WaterNetwork.Curve, units: HydraulicUnits, pumpID: String) throws(HydraulicsError) -> PumpCurve {
        let x = curve.x.map { $0 / units.flow }
        let y = curve.y.map { $0 / units.length }
        let h0, h1, h2, q1, q2: Double
        if x.count == 1 {
            (h0, h1, h2, q1, q2) = (1.33334 * y[0], y[0], 0, x[0], 2 * x[0])
        } else if x.count == 3 && x[0] == 0 {
            (h0, h1, h2, q1, q2) = (y[0], y[1], y[2], x[1], x[2])
        } else if x.count >= 2 {
            return .piecewise(x: x, y: y)
        } else {
            throw .unsupported("pump \(pumpID) has an empty head curve")
        }
        let tiny = 1e-6
        guard h0 >= tiny, h0 - h1 >= tiny, h1 - h2 >= tiny, q1 >= tiny, q2 - q1 >= tiny else {
            throw .unsupported("pump \(pumpID): its head curve is not a falling power function")
        }
        let c = log((h0 - h2) / (h0 - h1)) / log(q2 / q1)
        guard c > 0, c <= 20 else { throw .unsupported("pump \(pumpID): head curve exponent \(c) is out of range") }
        let b = (h0 - h1) / pow(q1, c)
        return .power(h0: -h0, r: b, n: c, shutoff: h0, designFlow: q1)
    }

    var designFlow: Double {
        switch self {
        case .power(_, _, _, _, let q): q
        case .piecewise(let x, _): (x.first! + x.last!) / 2
        case .constantPower: 1
        }
    }

    /// The largest head gain the pump can make at full speed (nil: unbounded).
    var shutoffHead: Double? {
        switch self {
        case .power(_, _, _, let h, _): h
        case .piecewise(_, let y): y.first
        case .constantPower: nil
        }
    }
}
