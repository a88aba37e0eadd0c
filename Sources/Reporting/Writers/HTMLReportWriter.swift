import Foundation

/// Writes `report.html`: one self-contained page (inline CSS and SVG, no external references).
public struct HTMLReportWriter: ReportWriter {
    public let fileName = "report.html"
    public init() {}

    public func render(_ report: RunReport) throws -> [UInt8] {
        Array(html(report).utf8)
    }

    /// The charts the page shows, in order; exposed so callers and tests can inspect the data behind them.
    public func charts(for r: RunReport) -> [SVGLineChart] {
        func spectrum(_ name: String, _ l: LatencySummary?) -> ChartSeries {
            ChartSeries(name: name, points: (l?.chartSpectrum ?? []).map { ChartPoint(x: $0.percentile, y: $0.valueMs) })
        }
        var charts = Self.timeCharts(r.timeSeries)
        charts.insert(SVGLineChart(id: "spectrum", title: "E2E latency by percentile: corrected vs uncorrected", xLabel: "percentile", yLabel: "ms", xScale: .percentile,
                                   series: [spectrum("corrected (from intended send)", r.latency.e2eCorrected), spectrum("uncorrected (from actual send)", r.latency.e2eUncorrected)]),
                      at: 2)
        return charts
    }

    /// The charts over seconds of the run: this page's, and the live page's (`run --dashboard`) while the run goes on.
    public static func timeCharts(_ ts: [TimeSample]) -> [SVGLineChart] {
        func series(_ name: String, _ value: (TimeSample) -> Double?) -> ChartSeries {
            ChartSeries(name: name, points: ts.compactMap { s in value(s).map { ChartPoint(x: s.t, y: $0) } })
        }
        let durables = Set(ts.flatMap { $0.consumerPending.keys }).sorted()
        let processes = Set(ts.flatMap { $0.processes.keys }).sorted()
        var lag = [series("p50", { $0.e2eP50Ms }), series("p99", { $0.e2eP99Ms })]
        if ts.contains(where: { $0.publishAckP99Ms != nil }) { lag.append(series("publish ack p99 (run so far)", { $0.publishAckP99Ms })) }
        return [
            SVGLineChart(id: "rates", title: "Offered vs achieved rate", xLabel: "seconds since start", yLabel: "events/s",
                         series: [series("offered", { $0.offeredRate }), series("achieved", { $0.achievedRate })]),
            SVGLineChart(id: "e2e", title: "End-to-end lag (corrected) per second", xLabel: "seconds since start", yLabel: "ms", series: lag),
            SVGLineChart(id: "pending", title: "Consumer pending per durable", xLabel: "seconds since start", yLabel: "messages",
                         series: durables.map { d in series(d, { $0.consumerPending[d] }) }),
            SVGLineChart(id: "cpu", title: "CPU per process", xLabel: "seconds since start", yLabel: "% of one core",
                         series: processes.map { p in series(p, { $0.processes[p]?.cpuPercent }) }),
            SVGLineChart(id: "rss", title: "RSS per process", xLabel: "seconds since start", yLabel: "MB",
                         series: processes.map { p in series(p, { $0.processes[p]?.rssMB }) }),
        ]
    }

    public func html(_ r: RunReport) -> String {
        let e = Markup.html
        var b = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        b += "<title>rsbench \(e(r.scenario.name)) — \(r.verdict.status.rawValue)</title>\n"
        b += "<style>\n\(Self.css)\n</style>\n</head>\n<body>\n"
        b += "<h1>rsbench <code>\(e(r.scenario.name))</code> <span class=\"verdict \(r.verdict.status.rawValue)\">\(e(r.verdict.status.rawValue.uppercased()))</span></h1>\n"
        b += "<p class=\"meta\">\(e(r.scenario.file)) · started \(ISO8601DateFormatter().string(from: r.startedAt)) · measured \(Fmt.num(r.durationSeconds)) s (warm-up \(Fmt.num(r.warmupExcludedSeconds)) s excluded) · offered \(Fmt.num(r.events.offeredPerSecond)) ev/s · achieved \(Fmt.num(r.events.achievedPerSecond)) ev/s</p>\n"
        if !r.verdict.reasons.isEmpty {
            b += "<ul class=\"reasons\">" + r.verdict.reasons.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n"
        }

        if let w = r.cost?.warning { b += "<p class=\"warning\">\(Self.mark("warn", "warning")) \(e(w))</p>\n" }

        b += "<h2>Gates</h2>\n"
        let gates = GateTable(r.gates)
        b += table(["", "gate", "measured", "threshold"], gates.rows.map { [Self.mark($0.verdict), "<code>\(e($0.expression))</code>", e($0.measured), e($0.threshold)] }, raw: true, empty: "no gates defined")

        b += "<h2>Latency (ms)</h2>\n"
        b += table(["metric", "n", "p50", "p90", "p99", "p99.9", "max", "mean"], r.latency.named.map { n in
            let l = n.summary
            return [n.title, Fmt.count(Double(l.count)), Fmt.ms(l.p50), Fmt.ms(l.p90), Fmt.ms(l.p99), Fmt.ms(l.p999), Fmt.ms(l.max), Fmt.ms(l.mean)]
        }, empty: "no latency measured")

        if let stages = r.stages {
            b += "<h2>Where the end-to-end time goes (ms)</h2>\n"
            b += StageSection(stages, seconds: r.durationSeconds).html()
        }

        if let alertStages = r.alertStages {
            b += "<h2>Where the alert time goes (ms)</h2>\n"
            b += AlertStageSection(alertStages).html()
        }

        b += "<h2>Charts</h2>\n"
        for chart in charts(for: r) { b += "<figure>\(chart.render())</figure>\n" }

        b += "<h2>Throughput per table</h2>\n"
        b += table(["table", "rows", "rows/s", "on disk", "uncompressed", "ratio", "active parts"], r.tables.map {
            [$0.table, Fmt.count(Double($0.rows)), Fmt.num($0.rowsPerSecond), Fmt.bytes(Double($0.bytesOnDisk)), Fmt.bytes(Double($0.uncompressedBytes)), Fmt.num($0.compressionRatio) + "×", String($0.activeParts)]
        }, empty: "no tables")
        b += "<h2>JetStream</h2>\n"
        b += table(["stream", "messages", "bytes", "max age"], r.streams.map {
            [$0.stream, Fmt.count(Double($0.messages)), Fmt.bytes(Double($0.bytes)), $0.maxAgeSeconds.map { "\(Fmt.num($0 / 86400)) d" } ?? "—"]
        }, empty: "no streams")
        b += "<h2>Cross-checks</h2>\n"
        b += table(["", "check", "expected", "actual", "detail"], r.crossChecks.map {
            [Self.mark($0.status), e($0.name), e(Fmt.count($0.expected)), e(Fmt.count($0.actual)), e($0.text)]
        }, raw: true, empty: "none")
        b += "<h2>Resources and CPU per event</h2>\n"
        if let cost = CostTable(r) {
            b += table(CostTable.header, cost.rows.map(\.cells), empty: "not sampled", lastRowClass: "total")
            b += "<p class=\"meta\">\(e(cost.definition))</p>\n"
            b += "<figure>\(CostTable.chart(r).render())</figure>\n"
        }
        b += table(["process", "pid", "CPU s", "CPU % mean", "CPU % max", "RSS max MB"], r.resources.map {
            [$0.name, $0.pid.map(String.init) ?? "—", Fmt.num($0.cpuSeconds), Fmt.num($0.cpuPercentMean), Fmt.num($0.cpuPercentMax), Fmt.num($0.rssMaxMB)]
        }, empty: "not sampled")
        b += "<h2>Environment</h2>\n<p class=\"meta\">\(e(r.environment.oneLiner))</p>\n"
        b += "</body>\n</html>\n"
        return b
    }

    private func table(_ header: [String], _ rows: [[String]], raw: Bool = false, empty: String, lastRowClass: String? = nil) -> String {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(Markup.html(empty))</p>\n" }
        var t = "<table>\n<thead><tr>" + header.map { "<th>\(Markup.html($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for (i, row) in rows.enumerated() {
            let cls = i == rows.count - 1 ? lastRowClass.map { " class=\"\($0)\"" } ?? "" : ""
            t += "<tr\(cls)>" + row.map { "<td>\(raw ? $0 : Markup.html($0))</td>" }.joined() + "</tr>\n"
        }
        return t + "</tbody>\n</table>\n"
    }

    // System font stacks only: a web font would be an external reference.
    /// A status mark as a coloured text badge: emoji (✅, ❌, ⚠️) show as empty boxes where no emoji font is installed
    /// (a CI box, headless Chromium), plain letters render everywhere.
    static func mark(_ kind: String, _ text: String) -> String { "<span class=\"mark \(kind)\">\(text)</span>" }

    static func mark(_ v: GateResult.Outcome) -> String {
        switch v {
        case .pass: mark("ok", "pass")
        case .fail: mark("bad", "FAIL")
        case .missing: mark("warn", "missing")
        }
    }

    static func mark(_ s: CrossCheck.Status) -> String {
        switch s {
        case .ok: mark("ok", "ok")
        case .loss: mark("bad", "loss")
        case .excess: mark("warn", "excess")
        }
    }

    public static let css = """
    body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; max-width: 1100px; }
    h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
    code { font-family: ui-monospace, Menlo, Consolas, monospace; }
    .verdict { padding: 2px 8px; border-radius: 4px; color: #fff; font-size: 0.8em; }
    .verdict.pass { background: #1a7f37; } .verdict.failed { background: #cf222e; }
    .verdict.invalid { background: #bf8700; } .verdict.error { background: #6e40c9; }
    .mark { padding: 0 6px; border-radius: 3px; color: #fff; font-size: 0.85em; font-weight: 600; }
    .mark.ok { background: #1a7f37; } .mark.bad { background: #cf222e; } .mark.warn { background: #bf8700; }
    .meta { color: #555; font-size: 0.9em; } .empty { color: #888; font-style: italic; }
    .warning { background: #fff8c5; border: 1px solid #d4a72c; padding: 6px 10px; border-radius: 4px; }
    tr.total td { font-weight: 600; }
    table { border-collapse: collapse; font-size: 0.9em; }
    th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
    th:first-child, td:first-child, td:nth-child(2) { text-align: left; }
    figure { margin: 12px 0; }
    svg.chart { font-size: 11px; background: #fff; }
    svg.chart .title { font-weight: 600; font-size: 13px; }
    svg.chart .plot { fill: none; stroke: #999; }
    svg.chart .grid { stroke: #eee; }
    svg.chart text { fill: #333; }
    svg.chart .nodata { fill: #999; font-size: 16px; font-style: italic; }
    """
}
