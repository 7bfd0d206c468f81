import CleaningEvaluation
import Foundation

/// A slow sine (amplitude 5, period 3600 slots: an hour at 1 s) with Gaussian noise of
/// σ = 0.1, the same for a given seed. Slow enough that the trend across a spike window
/// (15 slots) stays below the noise; its range is wide enough that spikes stay within
/// the plausible range the evaluation derives (a flat noisy series would see them
/// flagged out of range instead).
func noisySine(count: Int = 6000, seed: UInt64 = 7) -> [Double] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { i in
        let u1 = 1 - rng.nextUnit()
        let u2 = rng.nextUnit()
        let gaussian = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return 50 + 5 * sin(2 * Double.pi * Double(i) / 3600) + 0.1 * gaussian
    }
}

let second: Int64 = 1000
let injector = FaultInjector(cadenceMs: second, allowedLatenessMs: 5 * second)
