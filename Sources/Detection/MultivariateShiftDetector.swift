import Foundation

/// Detects a process leaving the state it was in while being fitted, from several
/// sensors at once: each reading is standardised per sensor (median and MAD of the
/// fitting rows), its squared Mahalanobis distance under the fitting rows' correlation
/// (shrunk towards independence, since a few hundred rows estimate it poorly) is
/// averaged per sensor, smoothed with an exponential moving average over
/// `smoothingRows`, and alarmed above `thresholdFactor` times the largest smoothed value
/// seen while fitting. Causal: a row's verdict uses only rows up to it.
public struct MultivariateShiftDetector: Sendable {
    public struct Config: Sendable, Equatable {
        public var smoothingRows = 60.0
        public var thresholdFactor = 1.5
        /// Weight of the identity in the correlation estimate.
        public var shrinkage = 0.2
        public init() {}
    }

    public let config: Config
    private let center: [Double]
    private let scale: [Double]
    private let precision: [[Double]]
    public let threshold: Double
    private var smoothed: Double

    /// Fits on `rows` (one array of sensor values per row; at least 10 rows).
    public init?(fitting rows: [[Double]], config: Config = Config()) {
        guard let d = rows.first?.count, d > 0, rows.count >= 10, rows.allSatisfy({ $0.count == d }) else { return nil }
        self.config = config
        var center: [Double] = []
        var scale: [Double] = []
        for j in 0..<d {
            let column = rows.map { $0[j] }.sorted()
            let median = column[column.count / 2]
            let mad = rows.map { abs($0[j] - median) }.sorted()[column.count / 2]
            let sd = Self.standardDeviation(column)
            center.append(median)
            // A sensor flat while fitting still gets a usable scale.
            scale.append(max(1.4826 * mad, 0.1 * sd, 1e-6 * max(1, abs(median))))
        }
        var correlation = Array(repeating: Array(repeating: 0.0, count: d), count: d)
        let z = rows.map { r in (0..<d).map { (r[$0] - center[$0]) / scale[$0] } }
        for a in 0..<d {
            for b in 0..<d {
                let c = z.reduce(0) { $0 + $1[a] * $1[b] } / Double(z.count)
                correlation[a][b] = (1 - config.shrinkage) * c + (a == b ? config.shrinkage * max(1, c) : 0)
            }
        }
        guard let inverse = Self.invert(correlation) else { return nil }
        self.center = center
        self.scale = scale
        precision = inverse
        // The threshold: the smoothed statistic's largest value over the fitting rows.
        var s = 0.0
        var peak = 0.0
        let alpha = 2 / (config.smoothingRows + 1)
        for (i, r) in rows.enumerated() {
            let t = Self.distance(r, center: center, scale: scale, precision: inverse)
            s = i == 0 ? t : s + alpha * (t - s)
            if i >= Int(config.smoothingRows) { peak = max(peak, s) }
        }
        threshold = config.thresholdFactor * max(peak, 1)
        smoothed = s
    }

    /// Feeds one row; returns whether it is alarmed and the smoothed statistic.
    public mutating func observe(_ row: [Double]) -> (alarmed: Bool, statistic: Double) {
        let t = Self.distance(row, center: center, scale: scale, precision: precision)
        smoothed += 2 / (config.smoothingRows + 1) * (t - smoothed)
        return (smoothed > threshold, smoothed)
    }

    static func distance(_ row: [Double], center: [Double], scale: [Double], precision: [[Double]]) -> Double {
        let z = row.indices.map { (row[$0] - center[$0]) / scale[$0] }
        var sum = 0.0
        for a in z.indices {
            for b in z.indices { sum += z[a] * precision[a][b] * z[b] }
        }
        return sum / Double(z.count)
    }

    static func standardDeviation(_ x: [Double]) -> Double {
        let m = x.reduce(0, +) / Double(x.count)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(1, x.count - 1))).squareRoot()
    }

    /// Gauss–Jordan inverse of a small symmetric positive-definite matrix.
    static func invert(_ m: [[Double]]) -> [[Double]]? {
        let n = m.count
        var a = m.enumerated().map { i, row in row + (0..<n).map { $0 == i ? 1.0 : 0 } }
        for col in 0..<n {
            guard let pivot = (col..<n).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-12 else {
                return nil
            }
            a.swapAt(col, pivot)
            let p = a[col][col]
            for c in 0..<(2 * n) { a[col][c] /= p }
            for r in 0..<n where r != col {
                let f = a[r][col]
                if f != 0 { for c in 0..<(2 * n) { a[r][c] -= f * a[col][c] } }
            }
        }
        return a.map { Array($0[n...]) }
    }
}
