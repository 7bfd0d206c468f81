import Cleaning

/// Scores a cleaned series against the injected faults and the untouched values.
public enum CleaningMetrics {
    /// The flags that say a point is not a plain reading.
    static let faultFlags: QualityFlags = [.spike, .stuck, .gap, .imputed, .outOfRange]

    public static func score(_ cleaned: CleanedSeries, injected: InjectedSeries, untouched: [Double]) -> MethodResult {
        precondition(untouched.count == injected.slotCount, "the untouched series and the labels differ in length")
        let points = cleaned.points
        var r = MethodResult()
        r.spike = flagScore(.spike, flag: .spike, points, injected.labels)
        r.stuck = flagScore(.stuck, flag: .stuck, points, injected.labels)
        r.longGap = flagScore(.longGap, flag: .gap, points, injected.labels)
        r.shortGap = flagScore(.shortGap, flag: .imputed, points, injected.labels)

        for (i, truth) in untouched.enumerated() {
            guard let p = points[i], let value = p.value else { continue }
            r.error.add(value, truth: truth)
            if p.flags.isDisjoint(with: .unfitForModel) { r.usableError.add(value, truth: truth) }
        }

        for fault in injected.faults {
            switch fault.kind {
            case .shortGap:
                // The readings just outside the gap: margins keep other faults away.
                guard fault.start > 0, fault.slots.upperBound < untouched.count,
                    let left = injected.sent[fault.start - 1], let right = injected.sent[fault.slots.upperBound]
                else { continue }
                let span = Double(fault.length + 1)
                for i in fault.slots {
                    guard let value = points[i]?.value else { continue }
                    r.imputation.add(value, truth: untouched[i])
                    let linear = left + (right - left) * Double(i - fault.start + 1) / span
                    r.linearImputation.add(linear, truth: untouched[i])
                }
            case .longGap:
                r.valuesInLongGaps += fault.slots.filter { points[$0]?.value != nil }.count
            case .unitSwitch:
                for i in fault.slots {
                    r.unitSwitch.slots += 1
                    let flags = points[i]?.flags ?? []
                    if flags.contains(.outOfRange) {
                        r.unitSwitch.outOfRange += 1
                    } else if flags.contains(.spike) {
                        r.unitSwitch.spike += 1
                    }
                    if flags.isDisjoint(with: faultFlags) { r.unitSwitch.unflagged += 1 }
                    if let value = points[i]?.value { r.unitSwitch.error.add(value, truth: untouched[i]) }
                }
            case .duplicate:
                r.duplicates.injected += 1
            case .outOfOrder:
                // Intact: every reading of the burst reached its own slot. The raw value
                // is compared, not the clean one: whether the spike filter then judges a
                // reading is measured by spike precision, not here.
                r.outOfOrder.bursts += 1
                let intact = fault.slots.allSatisfy { i in
                    guard let p = points[i], p.value != nil else { return false }
                    return p.rawValue == injected.sent[i]
                }
                if intact { r.outOfOrder.intact += 1 }
            case .spike, .stuck:
                break
            }
        }
        r.duplicates.dropped = cleaned.duplicatesDropped
        r.outOfOrder.lateReadings = cleaned.lateReadings
        return r
    }

    /// Confusion of `flag` against the slots labelled `kind` (see ``FlagScore``).
    static func flagScore(
        _ kind: FaultKind, flag: QualityFlags, _ points: [CleanSample?], _ labels: [FaultKind?]
    ) -> FlagScore {
        var s = FlagScore()
        for (i, label) in labels.enumerated() {
            let flags = points[i]?.flags ?? []
            let flagged = flags.contains(flag)
            if label == kind {
                if flagged { s.truePositives += 1 } else { s.falseNegatives += 1 }
                if !flags.isDisjoint(with: faultFlags) { s.caughtByAnyFlag += 1 }
            } else if flagged, label?.keepsValues ?? true {
                s.falsePositives += 1
            }
        }
        return s
    }
}
