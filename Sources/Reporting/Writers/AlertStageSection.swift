/// The "where the alert time goes" section of `report.md` and `report.html`: each stage's p50/p99 per rule, and a
/// stacked bar per rule of the stages' p50s, so a slow stage is named rather than guessed.
public struct AlertStageSection: Sendable {
    public var stages: AlertStages

    public init(_ stages: AlertStages) { self.stages = stages }

    static let explanation = "to_detector = received by the detecting consumer − intended send of the triggering event; detect = raised − received; "
        + "publish = stored by JetStream − raised; dispatch = webhook request sent − stored; webhook = received by rsbench − sent; "
        + "answer = the sender got its answer − received by rsbench"

    /// Table rows: the label (`all rules` first), the alerts, then p50 and p99 (ms) of each stage, `—` where not measured.
    public var rows: [[String]] {
        func row(_ label: String, alerts: Int, _ get: (String) -> LatencySummary?) -> [String] {
            [label, Fmt.count(Double(alerts))] + StageBreakdown.cells(AlertStages.names, get)
        }
        var out: [[String]] = []
        if !stages.overall.isEmpty { out.append(row("all rules", alerts: stages.rules.reduce(0) { $0 + $1.alerts }) { stages.overall[$0] }) }
        for r in stages.rules { out.append(row(r.rule, alerts: r.alerts) { r.stages[$0] }) }
        return out
    }

    public var header: [String] { ["rule", "alerts"] + AlertStages.names.flatMap { ["\($0) p50", "\($0) p99"] } }

    /// One bar per rule (and one over all rules): the p50 of each stage that adds up to the alert latency.
    public var chart: SVGStackedBarChart {
        StageBreakdown.chart(id: "alert-stages", title: "Where the alert time goes (p50 of each stage)", segments: AlertStages.stacked,
                             overall: stages.overall, overallLabel: "all rules", groups: stages.rules.map { ($0.rule, $0.stages) })
    }

    var note: String {
        var s = "p50 and p99 of each stage separately (percentiles do not add up). " + Self.explanation + "."
        if stages.unstamped > 0 { s += " \(stages.unstamped) alert(s) without stage instants (older pipeline) are left out." }
        return s
    }

    public func markdown() -> [String] { StageBreakdown.markdown(header: header, rows: rows, note: note) }

    public func html() -> String { StageBreakdown.html(header: header, rows: rows, chart: chart, note: note) }

    /// One console line: each stage's p99 over all rules.
    public var consoleLine: String? {
        guard !stages.overall.isEmpty else { return nil }
        let parts = AlertStages.names.compactMap { n in stages.overall[n].flatMap { $0.count > 0 ? "\(n) \(Fmt.ms($0.p99))" : nil } }
        return "alert stages p99 (ms):                         " + parts.joined(separator: " · ")
    }
}
