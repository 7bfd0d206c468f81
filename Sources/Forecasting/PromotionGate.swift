/// Whether a newly trained model may replace the one in production. Both are scored
/// on the same held-out window (``HoldoutEvaluation``); the candidate is promoted only
/// when it is measurably better and its intervals are calibrated:
///
/// 1. its scaled CRPS is at most `maxCRPSRatio` (default 0.98: at least 2% better)
///    of production's — or of the seasonal baseline's when there is no production
///    model yet, so the first DeepAR must beat the baseline;
/// 2. its 90%-interval coverage lies within `coverageRange` (default 85–95%);
/// 3. it scored at least `minPoints` held-out points.
///
/// Otherwise it is archived with the reason.
public struct PromotionGate: Sendable, Equatable {
    public var maxCRPSRatio = 0.98
    public var coverageRange = 0.85...0.95
    public var minPoints = 100

    public init() {}

    public enum Decision: Sendable, Equatable {
        case promote(reason: String)
        case archive(reason: String)

        public var promotes: Bool { if case .promote = self { true } else { false } }
        public var reason: String {
            switch self {
            case .promote(let r), .archive(let r): r
            }
        }
    }

    /// `incumbent` is production's scores on the same window, or the baseline's.
    public func decide(candidate: HoldoutEvaluation.Scores, incumbent: HoldoutEvaluation.Scores, incumbentName: String) -> Decision {
        guard candidate.points >= minPoints else {
            return .archive(reason: "only \(candidate.points) held-out points scored (at least \(minPoints) needed)")
        }
        guard candidate.scaledCRPS.isFinite else { return .archive(reason: "the candidate's CRPS is not a number") }
        guard coverageRange.contains(candidate.coverage90) else {
            return .archive(reason: "90% interval covers \(percent(candidate.coverage90)) of held-out values, outside \(percent(coverageRange.lowerBound))–\(percent(coverageRange.upperBound))")
        }
        let ratio = candidate.scaledCRPS / incumbent.scaledCRPS
        guard incumbent.scaledCRPS.isFinite, ratio <= maxCRPSRatio else {
            return .archive(reason: "scaled CRPS \(fixed(candidate.scaledCRPS)) is \(fixed(ratio)) × \(incumbentName)'s \(fixed(incumbent.scaledCRPS)) (at most \(fixed(maxCRPSRatio)) needed)")
        }
        return .promote(reason: "scaled CRPS \(fixed(candidate.scaledCRPS)) is \(fixed(ratio)) × \(incumbentName)'s, coverage \(percent(candidate.coverage90))")
    }

    private func percent(_ x: Double) -> String { "\((x * 1000).rounded() / 10)%" }
    private func fixed(_ x: Double) -> String { "\((x * 10_000).rounded() / 10_000)" }
}
