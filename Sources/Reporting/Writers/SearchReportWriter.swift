import Foundation

/// `rsbench search`'s outputs: search.md (the knee interval, each rate's verdict and every probe) and search.html
/// (the same, with the rate-vs-lag chart).
public enum SearchReportWriter {
    public static func markdown(_ r: SearchResult) -> String {
        func ms(_ v: Double?) -> String { v.map { String(format: "%.0f", $0) } ?? "–" }
        var s = "# rsbench search: \(r.scenario)\n\n"
        switch (r.knee, r.firstFailure) {
        case (let k?, let f?):
            s += String(format: "**Knee: [%.0f, %.0f) events/s**, from the last sustainable rate (%d of %d probes sustained) to the first failing one (%d of %d probes failed)",
                        k.offeredRate, f.offeredRate, k.sustainedCount, k.probes.count, f.probes.count - f.sustainedCount, f.probes.count)
            s += ". At the knee e2e p99 \(ms(k.e2eP99Ms)) ms; first failure: \(f.reasons.joined(separator: "; ")).\n"
        case (let k?, nil):
            s += String(format: "**Knee: above %.0f events/s**: every rate probed was sustainable (%d of %d probes at the highest).\n",
                        k.offeredRate, k.sustainedCount, k.probes.count)
        case (nil, let f?):
            s += String(format: "**No sustainable rate**: the lowest rate probed, %.0f events/s, failed (%d of %d probes): %@. Lower --start-scale.\n",
                        f.offeredRate, f.probes.count - f.sustainedCount, f.probes.count, f.reasons.joined(separator: "; "))
        case (nil, nil):
            s += "**No probe ran.**\n"
        }
        if let note = r.note { s += "\nNote: \(note).\n" }
        s += "\nRule: \(r.rule).\n\n## Rates\n\n| rate scale | offered ev/s (median) | achieved ev/s (median) | e2e p99 ms (median) | sustainable probes | verdict |\n|---:|---:|---:|---:|---:|---|\n"
        for t in r.rates {
            s += String(format: "| %.3f | %.0f | %.0f | %@ | %d / %d | %@ |\n", t.rateScale, t.offeredRate, t.achievedRate, ms(t.e2eP99Ms),
                        t.sustainedCount, t.probes.count, t.isSustainable ? "sustainable" : "not sustainable")
        }
        s += "\n## Probes, in the order they ran\n\n| # | rate scale | offered ev/s | achieved ev/s | e2e p50 ms | e2e p99 ms | max backlog | parts | result |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|\n"
        for (i, p) in r.probes.enumerated() {
            s += String(format: "| %d | %.3f | %.0f | %.0f | %@ | %@ | %.0f | %d | %@ |\n", i + 1, p.rateScale, p.offeredRate, p.achievedRate,
                        ms(p.e2eP50Ms), ms(p.e2eP99Ms), p.maxPending, p.maxParts, p.sustainable ? "sustainable" : "no: " + p.why.joined(separator: "; "))
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
