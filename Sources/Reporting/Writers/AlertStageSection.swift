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
            [label, Fmt.count(Double(alerts))] + AlertStages.names.flatMap { n -> [String] in
                guard let l = get(n), l.count > 0 else { return ["—", "—"] }
                return [Fmt.ms(l.p50), Fmt.ms(l.p99)]
            }
        }
        var out: [[String]] = []
        if !stages.overall.isEmpty { out.append(row("all rules", alerts: stages.rules.reduce(0) { $0 + $1.alerts }) { stages.overall[$0] }) }
        for r in stages.rules { out.append(row(r.rule, alerts: r.alerts) { r.stages[$0] }) }
        return out
    }

    public var header: [String] { ["rule", "alerts"] + AlertStages.names.flatMap { ["\($0) p50", "\($0) p99"] } }

    /// One bar per rule (and one over all rules): the p50 of each stage that adds up to the alert latency.
    public var chart: SVGStackedBarChart {
        func bar(_ label: String, _ get: (String) -> LatencySummary?) -> StackedBar {
            var values: [String: Double] = [:]
            for n in AlertStages.stacked {
                if let l = get(n), l.count > 0 { values[n] = l.p50 }
            }
            return StackedBar(label: label, values: values)
        }
        var bars: [StackedBar] = []
        if !stages.overall.isEmpty { bars.append(bar("all rules") { stages.overall[$0] }) }
        bars += stages.rules.map { r in bar(r.rule) { r.stages[$0] } }
        return SVGStackedBarChart(id: "alert-stages", title: "Where the alert time goes (p50 of each stage)", unit: "ms",
                                  segments: AlertStages.stacked, bars: bars)
    }

    var note: String {
        var s = "p50 and p99 of each stage separately (percentiles do not add up). " + Self.explanation + "."
        if stages.unstamped > 0 { s += " \(stages.unstamped) alert(s) without stage instants (older pipeline) are left out." }
        return s
    }

    public func markdown() -> [String] {
        guard !rows.isEmpty else { return ["_not measured_"] }
        return [Markup.mdTable(header, rows, right: Set(1..<header.count)), "", "<sub>\(Markup.html(note))</sub>"]
    }

    public func html() -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">not measured</p>\n" }
        var t = "<table>\n<thead><tr>" + header.map { "<th>\(Markup.html($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows { t += "<tr>" + row.map { "<td>\(Markup.html($0))</td>" }.joined() + "</tr>\n" }
        t += "</tbody>\n</table>\n"
        t += "<figure>\(chart.render())</figure>\n"
        return t + "<p class=\"meta\">\(Markup.html(note))</p>\n"
    }

    /// One console line: each stage's p99 over all rules.
    public var consoleLine: String? {
        guard !stages.overall.isEmpty else { return nil }
        let parts = AlertStages.names.compactMap { n in stages.overall[n].flatMap { $0.count > 0 ? "\(n) \(Fmt.ms($0.p99))" : nil } }
        return "alert stages p99 (ms):                         " + parts.joined(separator: " · ")
    }
}
