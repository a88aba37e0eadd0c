/// Where the curve bends: the knee as an interval between the last sustainable and the first failing rate, each
/// decided by repeated probes, with every probe's own result.
public struct SearchResult: Sendable, Codable {
    public var scenario: String
    /// How a rate is decided from its probes, as printed in the report.
    public var rule: String
    /// Every probe, in the order it ran.
    public var probes: [SearchProbe]
    /// The probes grouped by rate scale, lowest first, each with its verdict.
    public var rates: [RateTally]
    /// The highest sustainable rate below the first failing one (the knee's lower bound); nil when none was.
    public var knee: RateTally?
    /// The lowest failing rate (the knee's upper bound); nil when every rate probed was sustainable.
    public var firstFailure: RateTally?
    /// True when both bounds had their repeated probes (`repeats` each); false when the probe budget ran out first.
    public var confirmed: Bool
    /// Why the search stopped before confirming both bounds, when it did.
    public var note: String?

    public init(scenario: String, rule: String, probes: [SearchProbe], rates: [RateTally], knee: RateTally?, firstFailure: RateTally?,
                confirmed: Bool, note: String? = nil) {
        self.scenario = scenario
        self.rule = rule
        self.probes = probes
        self.rates = rates
        self.knee = knee
        self.firstFailure = firstFailure
        self.confirmed = confirmed
        self.note = note
    }
}
