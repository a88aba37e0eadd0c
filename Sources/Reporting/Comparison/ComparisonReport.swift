import Foundation

/// The outcome of `rsbench compare`: one row per metric both sides measured, and the rule that judged them.
public struct ComparisonReport: Sendable, Equatable, Encodable {
    /// The `schema` field of `compare --json`.
    public static let schema = "rsbench.compare/1"

    public var scenario: String
    public var baselineRuns: Int
    public var candidateRuns: Int
    public var rule: ComparisonRule
    public var metrics: [MetricComparison]
    /// Metrics only one side measured; listed so a silently dropped metric is noticed.
    public var unmatched: [String]

    /// True when any metric regressed; `rsbench compare` exits 1 on it.
    public var hasRegression: Bool { metrics.contains { $0.verdict == .regressed } }

    public func markdown() -> String {
        var s = ["### rsbench compare `\(scenario)` — \(hasRegression ? "❌ regression" : "✅ no regression")", ""]
        s.append("baseline: \(baselineRuns) run(s) · candidate: \(candidateRuns) run(s) · values are medians; change is candidate vs baseline")
        s.append("")
        s.append(rule.statement)
        s.append(rule.powerNote)
        s.append("")
        let order: [MetricComparison.Verdict: Int] = [.regressed: 0, .improved: 1, .noise: 2, .unchanged: 3]
        let rows = metrics.sorted { (order[$0.verdict]!, $0.metric) < (order[$1.verdict]!, $1.metric) }
        s.append(Markup.mdTable(["metric", "baseline", "candidate", "change", "test", "verdict"], rows.map { m in
            let test = m.method == .mannWhitney
                ? "p=\(m.pValue.map { Fmt.num($0) } ?? "—"), min effect \(Fmt.num(m.thresholdPercent))%"
                : "±\(Fmt.num(m.thresholdPercent))% band"
            return [m.metric, Fmt.withUnit(m.baselineMedian, m.unit), Fmt.withUnit(m.candidateMedian, m.unit), Fmt.percent(m.changePercent, signed: true), test, Self.label(m.verdict)]
        }, right: [1, 2, 3]))
        if metrics.isEmpty { s.append("(no metric measured on both sides)") }
        if !unmatched.isEmpty {
            s.append("")
            s.append("Measured on one side only: " + unmatched.map { "`\($0)`" }.joined(separator: ", "))
        }
        return s.joined(separator: "\n") + "\n"
    }

    /// `compare --json`: the same result for a program (schema `rsbench.compare/1`, documented in docs/summary-schema.md).
    public func json() throws -> Data {
        try SummaryCoding.encoder().encode(self)
    }

    enum CodingKeys: String, CodingKey {
        case schema, scenario, baselineRuns, candidateRuns, regression, rule, metrics, unmatched
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.schema, forKey: .schema)
        try c.encode(scenario, forKey: .scenario)
        try c.encode(baselineRuns, forKey: .baselineRuns)
        try c.encode(candidateRuns, forKey: .candidateRuns)
        try c.encode(hasRegression, forKey: .regression)
        try c.encode(rule, forKey: .rule)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(unmatched, forKey: .unmatched)
    }

    static func label(_ v: MetricComparison.Verdict) -> String {
        switch v {
        case .improved: "🟢 improved"
        case .regressed: "🔴 regressed"
        case .unchanged: "unchanged"
        case .noise: "⚪ noise"
        }
    }
}
