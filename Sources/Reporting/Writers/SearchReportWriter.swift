import Foundation

/// `rsbench search`'s outputs: search.md (the curve and the knee) and search.html (with the rate-vs-lag chart).
public enum SearchReportWriter {
    /// Markdown table of the curve, the knee, and a self-contained HTML page with the rate-vs-lag chart.
    public static func markdown(_ r: SearchResult) -> String {
        var s = "# rsbench search: \(r.scenario)\n\n| offered ev/s | achieved ev/s | e2e p50 ms | e2e p99 ms | max backlog | parts | verdict |\n|---:|---:|---:|---:|---:|---:|---|\n"
        for p in r.probes {
            s += String(format: "| %.0f | %.0f | %@ | %@ | %.0f | %d | %@ |\n", p.offeredRate, p.achievedRate,
                        p.e2eP50Ms.map { String(format: "%.0f", $0) } ?? "–", p.e2eP99Ms.map { String(format: "%.0f", $0) } ?? "–",
                        p.maxPending, p.maxParts, p.sustainable ? "sustainable" : "no: " + p.why.joined(separator: "; "))
        }
        if let k = r.knee {
            s += String(format: "\n**Knee: %.0f events/s** sustained (e2e p99 %@).", k.offeredRate, k.e2eP99Ms.map { String(format: "%.0f ms", $0) } ?? "n/a")
            if let f = r.firstFailure { s += String(format: " First failure at %.0f events/s: %@.", f.offeredRate, f.why.joined(separator: "; ")) }
            s += "\n"
        } else {
            s += "\nNo probe was sustainable: lower the start rate (--start-scale).\n"
        }
        return s
    }

    public static func html(_ r: SearchResult) -> String {
        let ok = r.probes.filter(\.sustainable), all = r.probes
        let chart = SVGLineChart(id: "curve", title: "Offered rate vs end-to-end lag p99", xLabel: "offered events/s", yLabel: "e2e p99 (ms)",
                                 series: [ChartSeries(name: "all probes", points: all.compactMap { p in p.e2eP99Ms.map { ChartPoint(x: p.offeredRate, y: $0) } }),
                                          ChartSeries(name: "sustainable", points: ok.compactMap { p in p.e2eP99Ms.map { ChartPoint(x: p.offeredRate, y: $0) } })])
        let md = markdown(r).replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>rsbench search \(r.scenario)</title><style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em}</style></head><body>\(chart.render())<pre>\(md)</pre></body></html>"
    }
}
