/// Ordinary least squares by the normal equations (a few regressors), with a tiny ridge
/// so collinear columns do not fail.
public enum LeastSquares {
    public static func fit(_ rows: [[Double]], _ y: [Double]) -> [Double]? {
        guard let k = rows.first?.count, rows.count >= k else { return nil }
        // Scale columns so the ridge and pivots are comparable.
        var scale = Array(repeating: 0.0, count: k)
        for r in rows { for j in 0..<k { scale[j] = max(scale[j], abs(r[j])) } }
        scale = scale.map { $0 > 0 ? $0 : 1 }
        var a = Array(repeating: Array(repeating: 0.0, count: k + 1), count: k)
        for (r, t) in zip(rows, y) {
            for i in 0..<k {
                let ri = r[i] / scale[i]
                for j in 0..<k { a[i][j] += ri * r[j] / scale[j] }
                a[i][k] += ri * t
            }
        }
        for i in 0..<k { a[i][i] += 1e-9 * Double(rows.count) }
        for col in 0..<k {
            guard let pivot = (col..<k).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }), abs(a[pivot][col]) > 1e-15 else { return nil }
            a.swapAt(col, pivot)
            for r in 0..<k where r != col {
                let f = a[r][col] / a[col][col]
                for c in col...k { a[r][c] -= f * a[col][c] }
            }
        }
        return (0..<k).map { a[$0][k] / a[$0][$0] / scale[$0] }
    }
}
