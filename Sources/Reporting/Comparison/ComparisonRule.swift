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
    /// One sentence: which rule, and why (stored, so `compare --json` carries what the Markdown prints).
    public private(set) var statement = ""
    /// What these run counts can detect, and how many runs a side the test needs.
    public private(set) var powerNote = ""

    public init(baselineRuns: Int, candidateRuns: Int, alpha: Double) {
        self.alpha = alpha
        self.baselineRuns = baselineRuns
        self.candidateRuns = candidateRuns
        minimumPValue = MannWhitneyU.minimumPValue(n1: baselineRuns, n2: candidateRuns)
        minimumRunsPerSide = MannWhitneyU.minimumRunsPerSide(alpha: alpha)
        maxPairsOutOfOrder = MannWhitneyU.maxPairsOutOfOrder(n1: baselineRuns, n2: candidateRuns, alpha: alpha)
        kind = minimumPValue < alpha ? .mannWhitney : .toleranceBand
        statement = makeStatement()
        powerNote = makePowerNote()
    }

    var sizes: String { "\(baselineRuns) vs \(candidateRuns) runs" }

    func makeStatement() -> String {
        switch kind {
        case .mannWhitney:
            "Rule: two-sided Mann–Whitney U at α \(Fmt.num(alpha)) (\(sizes) can reach p = \(Fmt.num(minimumPValue))), "
                + "and a change of at least the minimum effect; a significant change below it is unchanged, a large one the test cannot confirm is noise."
        case .toleranceBand:
            "Rule: the Mann–Whitney U test cannot reach α \(Fmt.num(alpha)) with \(sizes) (its smallest two-sided p is "
                + "\(Fmt.num(minimumPValue))), so each metric is judged by the tolerance band on medians instead."
        }
    }

    func makePowerNote() -> String {
        let need = "α \(Fmt.num(alpha)) needs at least \(minimumRunsPerSide) runs a side"
        guard let k = maxPairsOutOfOrder else {
            let m = minimumRunsPerSide
            return "Power: \(need); " + Self.tolerated(m, m, MannWhitneyU.maxPairsOutOfOrder(n1: m, n2: m, alpha: alpha) ?? 0) + "."
        }
        let more = max(baselineRuns, candidateRuns) + 2
        let moreNote = MannWhitneyU.maxPairsOutOfOrder(n1: more, n2: more, alpha: alpha).map { "; \(more) vs \(more) would tolerate \($0) of \(more * more)" } ?? ""
        return "Power: " + Self.tolerated(baselineRuns, candidateRuns, k) + moreNote + "; \(need)."
    }

    /// "at 4 vs 4 runs a change is significant only when at most 0 of the 16 … pairs are out of order (…)".
    static func tolerated(_ n1: Int, _ n2: Int, _ k: Int) -> String {
        "at \(n1) vs \(n2) runs a change is significant only when at most \(k) of the \(n1 * n2) baseline/candidate pairs are out of order"
            + (k == 0 ? " (every candidate run beyond every baseline run)" : "")
    }
}
