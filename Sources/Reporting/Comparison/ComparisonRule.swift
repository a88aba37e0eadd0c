/// The rule `compare` applies for the run counts it has, decided by arithmetic on the counts and α, and said in the output.
///
/// A rank test on n1 vs n2 runs cannot give a two-sided p below 2 / C(n1 + n2, n1): 3 vs 3 stops at 0.1, so at α 0.05
/// it could never flag anything. Then the tolerance band on medians decides instead, and the output says so.
public struct ComparisonRule: Sendable, Equatable, Encodable {
    /// Which verdict rule the metrics were judged by.
    public enum Kind: String, Sendable, Codable {
        case mannWhitney = "mann-whitney"
        case toleranceBand = "tolerance-band"
    }

    public var kind: Kind
    public var alpha: Double
    public var baselineRuns: Int
    public var candidateRuns: Int
    /// The smallest two-sided p-value these run counts allow (complete separation).
    public var minimumPValue: Double
    /// The fewest runs a side (equal sizes) at which the test can reach α.
    public var minimumRunsPerSide: Int
    /// Baseline/candidate pairs that may be out of order for a significant result; nil when α is out of reach.
    public var maxPairsOutOfOrder: Int?

    public init(baselineRuns: Int, candidateRuns: Int, alpha: Double) {
        self.alpha = alpha
        self.baselineRuns = baselineRuns
        self.candidateRuns = candidateRuns
        minimumPValue = MannWhitneyU.minimumPValue(n1: baselineRuns, n2: candidateRuns)
        minimumRunsPerSide = MannWhitneyU.minimumRunsPerSide(alpha: alpha)
        maxPairsOutOfOrder = MannWhitneyU.maxPairsOutOfOrder(n1: baselineRuns, n2: candidateRuns, alpha: alpha)
        kind = minimumPValue < alpha ? .mannWhitney : .toleranceBand
    }

    var sizes: String { "\(baselineRuns) vs \(candidateRuns) runs" }

    /// One sentence: which rule, and why.
    public var statement: String {
        switch kind {
        case .mannWhitney:
            "Rule: two-sided Mann–Whitney U at α \(Fmt.num(alpha)) (\(sizes) can reach p = \(Fmt.num(minimumPValue))), "
                + "and a change of at least the minimum effect; a significant change below it is unchanged, a large one the test cannot confirm is noise."
        case .toleranceBand:
            "Rule: the Mann–Whitney U test cannot reach α \(Fmt.num(alpha)) with \(sizes) (its smallest two-sided p is "
                + "\(Fmt.num(minimumPValue))), so each metric is judged by the tolerance band on medians instead."
        }
    }

    /// What these run counts can detect, and how many runs a side the test needs.
    public var powerNote: String {
        let pairs = baselineRuns * candidateRuns
        guard let k = maxPairsOutOfOrder else {
            return "Power: α \(Fmt.num(alpha)) needs at least \(minimumRunsPerSide) runs a side; at \(minimumRunsPerSide) vs \(minimumRunsPerSide) "
                + "a change is significant only when every candidate run is beyond every baseline run."
        }
        let more = max(baselineRuns, candidateRuns) + 2
        let moreNote = MannWhitneyU.maxPairsOutOfOrder(n1: more, n2: more, alpha: alpha).map { "; \(more) vs \(more) would tolerate \($0) of \(more * more)" } ?? ""
        return "Power: at \(sizes) a change is significant only when at most \(k) of the \(pairs) baseline/candidate pairs are out of order"
            + (k == 0 ? " (every candidate run beyond every baseline run)" : "") + moreNote
            + "; α \(Fmt.num(alpha)) needs at least \(minimumRunsPerSide) runs a side."
    }

    enum CodingKeys: String, CodingKey {
        case kind, alpha, baselineRuns, candidateRuns, minimumPValue, minimumRunsPerSide, maxPairsOutOfOrder, statement, powerNote
    }

    // By hand, so the JSON carries the two sentences the Markdown prints.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(baselineRuns, forKey: .baselineRuns)
        try c.encode(candidateRuns, forKey: .candidateRuns)
        try c.encode(minimumPValue, forKey: .minimumPValue)
        try c.encode(minimumRunsPerSide, forKey: .minimumRunsPerSide)
        try c.encodeIfPresent(maxPairsOutOfOrder, forKey: .maxPairsOutOfOrder)
        try c.encode(statement, forKey: .statement)
        try c.encode(powerNote, forKey: .powerNote)
    }
}
