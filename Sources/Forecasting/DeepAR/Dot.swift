/// Σ a[i]·b[i] for i < n, with four independent accumulators: the compiler may not
/// reorder a floating-point sum, so one accumulator leaves the multiply units idle.
@inline(__always)
func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
    var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
    var k = 0
    while k + 4 <= n {
        s0 += a[k] * b[k]
        s1 += a[k + 1] * b[k + 1]
        s2 += a[k + 2] * b[k + 2]
        s3 += a[k + 3] * b[k + 3]
        k += 4
    }
    while k < n {
        s0 += a[k] * b[k]
        k += 1
    }
    return (s0 + s1) + (s2 + s3)
}

