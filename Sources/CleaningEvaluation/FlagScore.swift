/// Point-level confusion counts of one quality flag against the slots of one fault kind.
///
/// A false positive is a flagged slot that no fault changed: untouched, or touched only
/// in its delivery (a duplicate, an out-of-order burst). Slots of other faults do not
/// count either way, so a unit switch flagged as spikes does not lower spike precision.
public struct FlagScore: Sendable, Equatable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0
    /// Slots of the fault kind that carry any fault flag (spike, stuck, gap, imputed,
    /// out of range): caught, if not by the flag that names the fault.
    public var caughtByAnyFlag = 0

    public init(truePositives: Int = 0, falsePositives: Int = 0, falseNegatives: Int = 0, caughtByAnyFlag: Int = 0) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.falseNegatives = falseNegatives
        self.caughtByAnyFlag = caughtByAnyFlag
    }

    public var labelled: Int { truePositives + falseNegatives }

    /// nil when nothing was flagged.
    public var precision: Double? {
        truePositives + falsePositives > 0 ? Double(truePositives) / Double(truePositives + falsePositives) : nil
    }

    /// nil when no slot had the fault.
    public var recall: Double? {
        labelled > 0 ? Double(truePositives) / Double(labelled) : nil
    }

    /// 2·TP / (2·TP + FP + FN): the harmonic mean of precision and recall, and 0 (not
    /// undefined) when faults were injected and nothing was flagged.
    public var f1: Double? {
        let denominator = 2 * truePositives + falsePositives + falseNegatives
        return denominator > 0 ? Double(2 * truePositives) / Double(denominator) : nil
    }

    /// Share of the fault's slots caught by any flag.
    public var anyFlagRecall: Double? {
        labelled > 0 ? Double(caughtByAnyFlag) / Double(labelled) : nil
    }

    public static func + (a: FlagScore, b: FlagScore) -> FlagScore {
        FlagScore(
            truePositives: a.truePositives + b.truePositives, falsePositives: a.falsePositives + b.falsePositives,
            falseNegatives: a.falseNegatives + b.falseNegatives, caughtByAnyFlag: a.caughtByAnyFlag + b.caughtByAnyFlag)
    }
}

/// Encoded with the derived rates, so a reader of the JSON need not compute them.
extension FlagScore: Codable {
    private enum CodingKeys: String, CodingKey {
        case truePositives, falsePositives, falseNegatives, caughtByAnyFlag
        case precision, recall, f1, anyFlagRecall
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        truePositives = try c.decode(Int.self, forKey: .truePositives)
        falsePositives = try c.decode(Int.self, forKey: .falsePositives)
        falseNegatives = try c.decode(Int.self, forKey: .falseNegatives)
        caughtByAnyFlag = try c.decode(Int.self, forKey: .caughtByAnyFlag)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(truePositives, forKey: .truePositives)
        try c.encode(falsePositives, forKey: .falsePositives)
        try c.encode(falseNegatives, forKey: .falseNegatives)
        try c.encode(caughtByAnyFlag, forKey: .caughtByAnyFlag)
        try c.encodeIfPresent(precision, forKey: .precision)
        try c.encodeIfPresent(recall, forKey: .recall)
        try c.encodeIfPresent(f1, forKey: .f1)
        try c.encodeIfPresent(anyFlagRecall, forKey: .anyFlagRecall)
    }
}
