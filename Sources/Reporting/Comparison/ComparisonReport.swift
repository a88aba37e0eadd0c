/// The outcome of `rsbench compare`: one row per metric both sides measured.
public struct ComparisonReport: Sendable, Equatable, Codable {
    public var scenario: String
    public var baselineRuns: Int
    public var candidateRuns: Int
    public var metrics: [MetricComparison]
    /// Metrics only one side measured; listed so a silently dropped metric is noticed.
    public var unmatched: [String]

    /// True when any metric regressed; `rsbench compare` exits 1 on it.
    public var hasRegression: Bool { metrics.contains { $0.verdict == .regressed } }

    public func markdown() -> String {
        var s = ["### rsbench compare `\(scenario)` — \(hasRegression ? "❌ regression" : "✅ no regression")", ""]
        s.append("baseline: \(baselineRuns) run(s) · candidate: \(candidateRuns) run(s) · values are medians; change is candidate vs baseline")
        s.append("")
        let order: [MetricComparison.Verdict: Int] = [.regressed: 0, .improved: 1, .noise: 2, .unchanged: 3]
        let rows = metrics.sorted { (order[$0.verdict]!, $0.metric) < (order[$1.verdict]!, $1.metric) }
        s.append(Markup.mdTable(["metric", "baseline", "candidate", "change", "test", "verdict"], rows.map { m in
            let test = m.method == .mannWhitney
                ? "p=\(m.pValue.map { Fmt.num($0) } ?? "—"), min effect \(Fmt.num(m.thresholdPercent))%"
                : "±\(Fmt.num(m.thresholdPercent))% band"
            return [m.metric, Fmt.withUnit(m.baselineMedian, m.unit), Fmt.withUnit(m.candidateMedian, m.unit), Fmt.percent(m.changePercent, signed: true), test, Self.label(m.verdict)]
        }, right: [1, 2, 3]))
        if !unmatched.isEmpty {
            s.append("")
            s.append("Measured on one side only: " + unmatched.map { "`\($0)`" }.joined(separator: ", "))
        }
        return s.joined(separator: "\n") + "\n"
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
