/// Every probe at one rate scale and the verdict they give together: sustainable when a strict majority of them were.
public struct RateTally: Sendable, Codable, Equatable {
    public var rateScale: Double
    public var probes: [SearchProbe]

    public init(rateScale: Double, probes: [SearchProbe]) {
        self.rateScale = rateScale
        self.probes = probes
    }

    /// The decision rule, as the report and `--help` state it.
    public static let rule = "a rate is sustainable when a strict majority of its probes are (2 of 3; a tie is not sustainable)"

    public var sustainedCount: Int { probes.filter(\.sustainable).count }
    /// Strict majority: 2 of 3, 3 of 4; a tie (1 of 2) counts as failing, the cautious side.
    public var isSustainable: Bool { 2 * sustainedCount > probes.count }
    /// The median offered rate of the probes, events/s (what the knee is reported in).
    public var offeredRate: Double { Self.median(probes.map(\.offeredRate)) ?? 0 }
    public var achievedRate: Double { Self.median(probes.map(\.achievedRate)) ?? 0 }
    /// The median of the probes' e2e p99, ms; nil when no probe measured it.
    public var e2eP99Ms: Double? { Self.median(probes.compactMap(\.e2eP99Ms)) }
    /// Each distinct reason its failing probes gave, in first-seen order.
    public var reasons: [String] {
        var seen: [String] = []
        for p in probes { for w in p.why where !seen.contains(w) { seen.append(w) } }
        return seen
    }

    static func median(_ v: [Double]) -> Double? {
        guard !v.isEmpty else { return nil }
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
