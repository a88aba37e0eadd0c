/// What the two "where the time goes" sections (end-to-end by table, alerts by rule) share: the p50/p99 cells of
/// each stage, a bar of the stages' p50s, and the markdown and HTML around the table.
enum StageBreakdown {
    /// p50 and p99 (ms) of each stage in `names`, `—` where not measured.
    static func cells(_ names: [String], _ get: (String) -> LatencySummary?) -> [String] {
        names.flatMap { n -> [String] in
            guard let l = get(n), l.count > 0 else { return ["—", "—"] }
            return [Fmt.ms(l.p50), Fmt.ms(l.p99)]
        }
    }

    /// A bar per group (`overall` first, when measured, under `overallLabel`): the p50 of each measured stage of
    /// `segments`.
    static func chart(id: String, title: String, segments: [String], overall: [String: LatencySummary], overallLabel: String,
                      groups: [(label: String, stages: [String: LatencySummary])]) -> SVGStackedBarChart {
        func bar(_ label: String, _ stages: [String: LatencySummary]) -> StackedBar {
            var values: [String: Double] = [:]
            for n in segments {
                if let l = stages[n], l.count > 0 { values[n] = l.p50 }
            }
            return StackedBar(label: label, values: values)
        }
        let bars = (overall.isEmpty ? [] : [bar(overallLabel, overall)]) + groups.map { bar($0.label, $0.stages) }
        return SVGStackedBarChart(id: id, title: title, unit: "ms", segments: segments, bars: bars)
    }

    static func markdown(header: [String], rows: [[String]], note: String) -> [String] {
        guard !rows.isEmpty else { return ["_not measured_"] }
        return [Markup.mdTable(header, rows, right: Set(1..<header.count)), "", "<sub>\(Markup.html(note))</sub>"]
    }

    static func html(header: [String], rows: [[String]], chart: SVGStackedBarChart, note: String) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">not measured</p>\n" }
        var t = "<table>\n<thead><tr>" + header.map { "<th>\(Markup.html($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows { t += "<tr>" + row.map { "<td>\(Markup.html($0))</td>" }.joined() + "</tr>\n" }
        t += "</tbody>\n</table>\n"
        t += "<figure>\(chart.render())</figure>\n"
        return t + "<p class=\"meta\">\(Markup.html(note))</p>\n"
    }
}
