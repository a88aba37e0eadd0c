/// Gate rows formatted once, so report.md and junit.xml show identical figures.
public struct GateTable: Sendable {
    /// One gate, ready to print.
    public struct Row: Sendable, Equatable {
        public var expression: String
        public var metric: String
        public var measured: String
        public var threshold: String
        public var verdict: GateResult.Outcome
        /// e.g. `measured 612 ms, threshold < 500 ms`.
        public var explanation: String
    }

    public var rows: [Row]

    public init(_ gates: [GateResult]) {
        rows = gates.map { g in
            let measured = Fmt.withUnit(g.measured, g.unit)
            let threshold = "\(g.comparison) \(Fmt.withUnit(g.threshold, g.unit))"
            let explanation = switch g.verdict {
            case .missing: "metric \(g.metric) was not measured in this run (threshold \(threshold))"
            case .pass, .fail: "measured \(measured), threshold \(threshold)"
            }
            return Row(expression: g.expression, metric: g.metric, measured: measured, threshold: threshold, verdict: g.verdict, explanation: explanation)
        }
    }

    public var failures: Int { rows.filter { $0.verdict == .fail }.count }
    public var missing: Int { rows.filter { $0.verdict == .missing }.count }

    /// The gate table as GitHub Markdown.
    public func markdown() -> String {
        guard !rows.isEmpty else { return "_no gates defined_" }
        return Markup.mdTable(
            ["", "gate", "measured", "threshold"],
            rows.map { [Self.icon($0.verdict), "`\($0.expression)`", $0.measured, $0.threshold] },
            right: [2])
    }

    static func icon(_ v: GateResult.Outcome) -> String {
        switch v {
        case .pass: "✅ pass"
        case .fail: "❌ FAIL"
        case .missing: "⚠️ missing"
        }
    }
}
