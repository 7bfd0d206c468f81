import Foundation

/// LeakDB's official scoring (Vrachimis et al., 2018) of per-step alarms against per-step
/// labels (1 while a leak is active), pooled over every step of every scenario added:
/// F1 = 2TP/(2TP+FP+FN), true positive and negative rates, Matthews correlation, and the
/// early-detection score. For each leak, the window runs from its first step to 10 steps
/// after its last (tw steps); Dt is the first alarmed step in it (0 = the leak's first
/// step), counted only if more than 75 % of the window's steps from Dt on are alarmed;
/// the leak scores 2 / (1 + exp(5·Dt / tw)), else 0. The total is the mean over leaks, in %.
public struct LeakDBScore: Sendable, Equatable {
    public var truePositives = 0
    public var falsePositives = 0
    public var trueNegatives = 0
    public var falseNegatives = 0
    public var leaks = 0
    public var earlyDetectionSum = 0.0

    public static let toleranceSteps = 10
    public static let detectionShare = 0.75

    public init() {}

    /// Adds one scenario: `labels` and `alarms` per step; `leakWindows` the [first, end)
    /// step ranges of its leaks.
    public mutating func add(labels: [Bool], alarms: [Bool], leakWindows: [Range<Int>]) {
        precondition(labels.count == alarms.count, "one alarm per labelled step")
        for (label, alarm) in zip(labels, alarms) {
            switch (label, alarm) {
            case (true, true): truePositives += 1
            case (false, true): falsePositives += 1
            case (false, false): trueNegatives += 1
            case (true, false): falseNegatives += 1
            }
        }
        for window in leakWindows {
            leaks += 1
            earlyDetectionSum += Self.earlyDetection(alarms: alarms, leak: window)
        }
    }

    public static func earlyDetection(alarms: [Bool], leak: Range<Int>) -> Double {
        let end = min(alarms.count, leak.upperBound + toleranceSteps)
        guard leak.lowerBound < end else { return 0 }
        let tw = Double(end - leak.lowerBound)
        guard let first = (leak.lowerBound..<end).first(where: { alarms[$0] }) else { return 0 }
        let alarmed = (first..<end).filter { alarms[$0] }.count
        guard Double(alarmed) / Double(end - first) > detectionShare else { return 0 }
        let dt = Double(first - leak.lowerBound)
        return 2 / (1 + exp(5 * dt / tw))
    }

    public var f1: Double {
        let d = 2 * truePositives + falsePositives + falseNegatives
        return d > 0 ? 2 * Double(truePositives) / Double(d) : 1
    }
    public var truePositiveRate: Double { rate(truePositives, falseNegatives) }
    public var trueNegativeRate: Double { rate(trueNegatives, falsePositives) }
    public var matthews: Double {
        let (tp, fp, tn, fn) = (Double(truePositives), Double(falsePositives), Double(trueNegatives), Double(falseNegatives))
        let d = ((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)).squareRoot()
        return d > 0 ? (tp * tn - fp * fn) / d : 0
    }
    /// In percent; 100 when there was no leak to detect.
    public var earlyDetection: Double { leaks > 0 ? 100 * earlyDetectionSum / Double(leaks) : 100 }

    private func rate(_ hit: Int, _ miss: Int) -> Double { hit + miss > 0 ? Double(hit) / Double(hit + miss) : 1 }
}
