/// A dense symmetric positive-definite system A·x = b, factorised once (Cholesky) and
/// solved for as many right-hand sides as needed. The gradient algorithm's matrix is
/// symmetric and, for a network where every junction reaches a fixed head, positive
/// definite. Dense is plenty for networks of a few hundred junctions (Net3: 92, Hanoi: 31).
struct CholeskySystem: Sendable {
    let n: Int
    /// Lower triangle of L, row-major n×n.
    private var l: [Double]

    /// Fails with the row whose pivot is not positive (a junction cut off from every
    /// tank and reservoir).
    init(matrix a: [Double], size n: Int) throws(CholeskyFailure) {
        self.n = n
        var l = a
        for j in 0..<n {
            var d = l[j * n + j]
            for k in 0..<j { d -= l[j * n + k] * l[j * n + k] }
            guard d > 0 else { throw CholeskyFailure(row: j) }
            let root = d.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<max(j + 1, n) {
                var s = l[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / root
            }
        }
        self.l = l
    }

    func solve(_ b: [Double]) -> [Double] {
        var y = b
        for i in 0..<n {
            var s = y[i]
            for k in 0..<i { s -= l[i * n + k] * y[k] }
            y[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<max(i + 1, n) { s -= l[k * n + i] * y[k] }
            y[i] = s / l[i * n + i]
        }
        return y
    }
}

struct CholeskyFailure: Error { let row: Int }
