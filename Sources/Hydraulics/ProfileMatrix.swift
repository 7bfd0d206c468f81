/// The gradient algorithm's matrix: symmetric, positive definite when every junction
/// reaches a fixed head, and as sparse as the network (one off-diagonal pair per link
/// between two junctions). It is kept as a profile — each row from its first non-zero
/// column to the diagonal — with the rows renumbered in reverse Cuthill–McKee order, which
/// keeps the profiles short: for L-Town's 782 junctions a factorisation costs about a
/// thousandth of the dense one. Callers index rows in their own numbering.
struct ProfileMatrix: Sendable {
    let n: Int
    /// Caller's row → internal row, and back.
    let position: [Int]
    let order: [Int]
    /// First column of each internal row, and where the row starts in `values`.
    let first: [Int]
    let start: [Int]
    var values: [Double]

    /// `edges`: the pairs of rows that have off-diagonal entries (repeats are fine).
    init(size n: Int, edges: [(Int, Int)]) {
        self.n = n
        var neighbours = Array(repeating: [Int](), count: n)
        for (a, b) in edges where a != b {
            neighbours[a].append(b)
            neighbours[b].append(a)
        }
        for i in 0..<n { neighbours[i] = Array(Set(neighbours[i])).sorted() }
        let order = Self.reverseCuthillMcKee(neighbours)
        var position = Array(repeating: 0, count: n)
        for (p, row) in order.enumerated() { position[row] = p }
        var first = Array(0..<n)
        for (p, row) in order.enumerated() {
            for m in neighbours[row] where position[m] < first[p] { first[p] = position[m] }
        }
        var start = Array(repeating: 0, count: n + 1)
        for p in 0..<n { start[p + 1] = start[p] + (p - first[p] + 1) }
        self.position = position
        self.order = order
        self.first = first
        self.start = Array(start.prefix(n))
        values = Array(repeating: 0, count: start[n])
    }

    /// Where entry (i, j) of the caller's numbering lives in `values` (either triangle).
    func slot(_ i: Int, _ j: Int) -> Int {
        var (a, b) = (position[i], position[j])
        if b > a { swap(&a, &b) }
        precondition(b >= first[a], "entry (\(i), \(j)) is outside the matrix's pattern")
        return start[a] + (b - first[a])
    }

    func diagonal(_ i: Int) -> Int { slot(i, i) }

    mutating func clear() {
        for k in values.indices { values[k] = 0 }
    }

    /// Rows connected component by component, each from a node of least degree, neighbours
    /// visited by rising degree; reversed.
    static func reverseCuthillMcKee(_ neighbours: [[Int]]) -> [Int] {
        let n = neighbours.count
        var visited = Array(repeating: false, count: n)
        var order: [Int] = []
        order.reserveCapacity(n)
        let byDegree = (0..<n).sorted { (neighbours[$0].count, $0) < (neighbours[$1].count, $1) }
        for seed in byDegree where !visited[seed] {
            visited[seed] = true
            var head = order.count
            order.append(seed)
            while head < order.count {
                let row = order[head]
                head += 1
                let next = neighbours[row].filter { !visited[$0] }
                    .sorted { (neighbours[$0].count, $0) < (neighbours[$1].count, $1) }
                for m in next {
                    visited[m] = true
                    order.append(m)
                }
            }
        }
        return order.reversed()
    }
}

/// A factorised ``ProfileMatrix`` (A = L·Lᵀ, L in the same profile), solved for as many
/// right-hand sides as needed: heads at each trial, sensitivities to leaks after.
struct CholeskySystem: Sendable {
    private let matrix: ProfileMatrix
    var n: Int { matrix.n }

    /// Fails with the caller's row whose pivot is not positive (a junction cut off from
    /// every tank and reservoir, or a control valve that isolates part of the network).
    init(factorising a: ProfileMatrix) throws(CholeskyFailure) {
        var m = a
        var failure: CholeskyFailure?
        m.values.withUnsafeMutableBufferPointer { l in
            for i in 0..<m.n {
                let fi = m.first[i]
                let si = m.start[i] - fi
                for j in fi..<i {
                    let fj = m.first[j]
                    let sj = m.start[j] - fj
                    var s = l[si + j]
                    var k = max(fi, fj)
                    while k < j {
                        s -= l[si + k] * l[sj + k]
                        k += 1
                    }
                    l[si + j] = s / l[sj + j]
                }
                var d = l[si + i]
                for k in fi..<i { d -= l[si + k] * l[si + k] }
                guard d > 0 else { failure = CholeskyFailure(row: m.order[i]); return }
                l[si + i] = d.squareRoot()
            }
        }
        if let failure { throw failure }
        matrix = m
    }

    func solve(_ b: [Double]) -> [Double] {
        let m = matrix
        var y = Array(repeating: 0.0, count: m.n)
        for i in 0..<m.n { y[i] = b[m.order[i]] }
        m.values.withUnsafeBufferPointer { l in
            for i in 0..<m.n {
                let si = m.start[i] - m.first[i]
                var s = y[i]
                for k in m.first[i]..<i { s -= l[si + k] * y[k] }
                y[i] = s / l[si + i]
            }
            for i in stride(from: m.n - 1, through: 0, by: -1) {
                let si = m.start[i] - m.first[i]
                let x = y[i] / l[si + i]
                y[i] = x
                for k in m.first[i]..<i { y[k] -= l[si + k] * x }
            }
        }
        var x = Array(repeating: 0.0, count: m.n)
        for i in 0..<m.n { x[m.order[i]] = y[i] }
        return x
    }
}

struct CholeskyFailure: Error { let row: Int }
