/// Alert latency split into the stages its own instants bound (DESIGN §4, alert stages), per rule and over all rules:
/// `to_detector` (received by the detecting consumer − intended send of the triggering event), `detect` (raised −
/// received), `publish` (stored by JetStream − raised), `dispatch` (webhook request sent − stored), `webhook`
/// (received by rsbench − sent) and `answer` (the sender got its answer − received by rsbench).
public struct AlertStages: Codable, Sendable, Equatable {
    /// Every stage, in an alert's order: the names gates and reports use.
    public static let names = ["to_detector", "detect", "publish", "dispatch", "webhook", "answer"]
    /// The stages that add up to the alert latency: the segments of the stacked bar.
    public static let stacked = ["to_detector", "detect", "publish", "dispatch", "webhook"]

    /// Per rule, by name.
    public var rules: [RuleStages]
    /// Over every delivered alert of the window.
    public var overall: [String: LatencySummary]
    /// Delivered alerts of the window without the instants (raised by an older pipeline), left out.
    public var unstamped: Int

    public init(rules: [RuleStages] = [], overall: [String: LatencySummary] = [:], unstamped: Int = 0) {
        self.rules = rules
        self.overall = overall
        self.unstamped = unstamped
    }

    /// A stage's distribution over all rules, or of one rule.
    public func summary(_ stage: String, rule: String? = nil) -> LatencySummary? {
        guard let rule else { return overall[stage] }
        return rules.first { $0.rule == rule }?.stages[stage]
    }
}

/// One rule's alert stages, and how many delivered alerts they cover.
public struct RuleStages: Codable, Sendable, Equatable {
    public var rule: String
    public var alerts: Int
    /// By stage name (`AlertStages.names`); a stage no alert of the rule had both instants for is absent.
    public var stages: [String: LatencySummary]

    public init(rule: String, alerts: Int, stages: [String: LatencySummary] = [:]) {
        self.rule = rule
        self.alerts = alerts
        self.stages = stages
    }
}
