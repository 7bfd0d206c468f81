/// BattLeDIM 2020's economic score of leak detections (Vrachimis et al.; the rules are
/// restated in `ltown-2018/README.md`): each detection names a pipe and the time it was
/// raised. In time order, a detection *hits* a leak when it lies within the leak's life and
/// its pipe within `radiusM` of the leak's pipe along the network. Hitting none, it is a
/// false positive (−`falsePositiveCost`); hitting only leaks found already, a repeat (0);
/// otherwise the closest undetected leak it hits is found, worth the water it would still
/// lose from then to its end (or the period's) at `tariffPerM3`, less `falsePositiveCost`
/// per `radiusM` of distance. The perfect score finds every leak at its start (or the
/// period's) at distance 0.
public struct BattLeDIMScore: Sendable, Equatable {
    public struct Leak: Sendable, Equatable {
        public var pipe: String
        public var startMs: Int64
        public var endMs: Int64
        /// Its flow (m³/h) at every step of the period, from the period's start.
        public var flowM3h: [Double]

        public init(pipe: String, startMs: Int64, endMs: Int64, flowM3h: [Double]) {
            self.pipe = pipe
            self.startMs = startMs
            self.endMs = endMs
            self.flowM3h = flowM3h
        }
    }

    public struct Detection: Sendable, Equatable {
        public var pipe: String
        /// When it was raised (never a start estimated afterwards).
        public var raisedMs: Int64

        public init(pipe: String, raisedMs: Int64) {
            self.pipe = pipe
            self.raisedMs = raisedMs
        }
    }

    /// A leak found: by which detection, how late and how far off, and what it earned.
    public struct Found: Sendable, Equatable {
        public var leak: Int
        public var detection: Int
        public var delayMs: Int64
        public var distanceM: Double
        public var euros: Double
    }

    public var found: [Found] = []
    public var falsePositives = 0
    public var repeats = 0
    public var euros = 0.0
    public var perfectEuros = 0.0

    /// The score as a share of the perfect one.
    public var fraction: Double { perfectEuros > 0 ? euros / perfectEuros : 0 }

    public struct Rules: Sendable, Equatable {
        public var periodStartMs: Int64
        public var periodEndMs: Int64
        public var stepMs: Int64 = 300_000
        public var tariffPerM3 = 0.8
        public var falsePositiveCost = 500.0
        public var radiusM = 300.0

        public init(periodStartMs: Int64, periodEndMs: Int64) {
            self.periodStartMs = periodStartMs
            self.periodEndMs = periodEndMs
        }
    }

    /// Scores `detections` against `leaks`; `distance` gives the metres between two pipes
    /// along the network (nil: not connected).
    public init(
        detections: [Detection], leaks: [Leak], rules: Rules, distance: (String, String) -> Double?
    ) {
        for leak in leaks {
            perfectEuros += rules.tariffPerM3 * Self.volume(of: leak, from: max(leak.startMs, rules.periodStartMs), rules: rules)
        }
        let onGrid = detections.enumerated().compactMap { i, d -> (Int, Detection)? in
            let t = d.raisedMs - ((d.raisedMs - rules.periodStartMs) % rules.stepMs + rules.stepMs) % rules.stepMs
            guard t >= rules.periodStartMs, t < rules.periodEndMs else { return nil }
            return (i, Detection(pipe: d.pipe, raisedMs: t))
        }.sorted { ($0.1.raisedMs, $0.0) < ($1.1.raisedMs, $1.0) }
        var detected = Set<Int>()
        for (index, d) in onGrid {
            let hits = leaks.indices.compactMap { l -> (Int, Double)? in
                let leak = leaks[l]
                guard leak.startMs <= d.raisedMs, d.raisedMs <= leak.endMs,
                    let metres = distance(d.pipe, leak.pipe), metres <= rules.radiusM
                else { return nil }
                return (l, metres)
            }
            if hits.isEmpty {
                falsePositives += 1
                euros -= rules.falsePositiveCost
                continue
            }
            guard let (l, metres) = hits.filter({ !detected.contains($0.0) }).min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) else {
                repeats += 1
                continue
            }
            detected.insert(l)
            let worth = rules.tariffPerM3 * Self.volume(of: leaks[l], from: d.raisedMs, rules: rules)
                - rules.falsePositiveCost * metres / rules.radiusM
            euros += worth
            found.append(Found(
                leak: l, detection: index, delayMs: d.raisedMs - max(leaks[l].startMs, rules.periodStartMs),
                distanceM: metres, euros: worth))
        }
    }

    /// The leak's volume (m³) from `fromMs` to its end or the period's.
    static func volume(of leak: Leak, from fromMs: Int64, rules: Rules) -> Double {
        let end = min(leak.endMs, rules.periodEndMs - 1)
        guard fromMs <= end else { return 0 }
        let first = Int((fromMs - rules.periodStartMs) / rules.stepMs)
        let last = min(leak.flowM3h.count - 1, Int((end - rules.periodStartMs) / rules.stepMs))
        guard first <= last else { return 0 }
        let hours = Double(rules.stepMs) / 3_600_000
        return leak.flowM3h[max(0, first)...last].reduce(0, +) * hours
    }
}
