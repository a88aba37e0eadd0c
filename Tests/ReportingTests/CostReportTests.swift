import Foundation
import Testing
@testable import Reporting

/// Cost per event in the run model and every place that reads it: summary.json, the metric catalogue, compare,
/// report.md (the table) and report.html (the table and the stacked bar chart).
@Suite struct CostReportTests {
    /// Four processes over a 60 s window in which rsbench published 120,000 events (150,000 in the whole run).
    static func report(rsbenchPercent: Double = 70, events: UInt64 = 120_000) -> RunReport {
        var r = Fixtures.report()
        var resources = [("rsbench", rsbenchPercent), ("risksignal", 26.0), ("nats-server", 42.0), ("clickhouse", 38.0)].map { name, pct in
            ProcessResources(name: name, pid: 100, cpuSeconds: pct / 100 * 60, cpuPercentMean: pct, cpuPercentMax: pct * 1.2, rssMaxMB: 100,
                             cpuSecondsWholeRun: pct / 100 * 90)
        }
        r.cost = CPUCost.compute(&resources, events: events, eventsWholeRun: 150_000, windowSeconds: 60, wholeRunSeconds: 90, cores: 2)
        r.resources = resources
        return r
    }

    @Test func perProcessAndStackFigures() throws {
        let r = Self.report()
        let us = r.resources.map { $0.cpuUsPerEvent ?? -1 }
        // 0.70 × 60 CPU-s ÷ 120,000 events = 350 µs, and so on; the stack is their sum.
        #expect(zip(us, [350.0, 130, 210, 190]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(us)")
        let cost = try #require(r.cost)
        #expect(abs((cost.stack.cpuUsPerEvent ?? 0) - 880) < 1e-6)
        #expect(abs((cost.stack.cpuUsPerEventWholeRun ?? 0) - 1.76 * 90 * 1e6 / 150_000) < 1e-6)
        #expect(abs((cost.shareOfStack(r.resources[0]) ?? 0) - 350.0 / 880) < 1e-9)
        #expect(abs((cost.rsbenchShare ?? 0) - 0.35) < 1e-9)
        #expect(cost.warning?.contains("35% of the machine") == true, "rsbench over a quarter of the machine is flagged")
        #expect(Self.report(rsbenchPercent: 40).cost?.warning == nil, "20 % of the machine is not")
    }

    @Test func catalogueReadsEveryProcessAndTheStack() {
        let r = Self.report()
        #expect(MetricCatalog.kind(of: "cpu_us_per_event.rsbench") == .cpuPerEvent)
        #expect(MetricCatalog.kind(of: "cpu_us_per_event.stack")?.reportUnit == "µs")
        #expect(MetricCatalog.summary.contains("cpu_us_per_event.<process|stack>"))
        for (name, expected) in [("rsbench", 350.0), ("risksignal", 130), ("nats-server", 210), ("clickhouse", 190), ("stack", 880)] {
            let v = MetricCatalog.value("cpu_us_per_event.\(name)", in: r)
            #expect(v.map { abs($0 - expected) < 1e-6 } == true, "\(name): \(String(describing: v))")
        }
        #expect(MetricCatalog.value("cpu_us_per_event.postgres", in: r) == nil)
        #expect(MetricCatalog.value("cpu_us_per_event.stack", in: Fixtures.report()) == nil, "a report without cost has no value: the gate is missing")
        #expect(MetricCatalog.value("cpu_us_per_event.stack", in: Self.report(events: 0)) == nil, "no events, no per-event figure")
    }

    @Test func compareSeesARegressionInCPUPerEvent() throws {
        let metrics = ComparableMetrics.extract(Self.report())
        #expect(metrics["cpu_us_per_event.stack"]?.unit == "µs")
        #expect(metrics["cpu_us_per_event.nats-server"]?.direction == .lowerIsBetter)
        let worse = try RunComparator().compare(baseline: [Self.report(rsbenchPercent: 40)], candidate: [Self.report(rsbenchPercent: 70)])
        #expect(worse.metrics.first { $0.metric == "cpu_us_per_event.rsbench" }?.verdict == .regressed)
        #expect(worse.metrics.first { $0.metric == "cpu_us_per_event.stack" }?.verdict == .regressed)
        #expect(worse.metrics.first { $0.metric == "cpu_us_per_event.clickhouse" }?.verdict == .unchanged)
    }

    @Test func summaryJSONCarriesTheCostAndOldSummariesStillLoad() throws {
        let r = Self.report()
        let data = Data(try SummaryJSONWriter().render(r))
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"cpuUsPerEvent\"") && text.contains("\"cpuSecondsWholeRun\"") && text.contains("\"cost\""))
        let back = try RunReport.decode(from: data)
        #expect(back.cost == r.cost)
        #expect(back.resources == r.resources)
        // A summary written before cost existed: no `cost`, no per-event fields.
        var old = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        old.removeValue(forKey: "cost")
        old["resources"] = (old["resources"] as! [[String: Any]]).map { p in
            p.filter { !["cpuUsPerEvent", "cpuUsPerEventWholeRun", "cpuSecondsWholeRun"].contains($0.key) }
        }
        let legacy = try RunReport.decode(from: try JSONSerialization.data(withJSONObject: old))
        #expect(legacy.cost == nil)
        #expect(legacy.resources.allSatisfy { $0.cpuUsPerEvent == nil })
        #expect(MarkdownReportWriter().markdown(legacy).contains("| process | pid | CPU s |"), "the old resources table")
    }

    @Test func markdownShowsTheTableWithTheStackLastAndTheDefinition() {
        let md = MarkdownReportWriter().markdown(Self.report())
        #expect(md.contains("#### Resources and CPU per event"))
        #expect(md.contains("| process | CPU % | CPU-µs/event | share of stack | RSS max MB | CPU-s window | CPU-s whole run | CPU-µs/event whole run |"))
        #expect(md.contains("| rsbench | 70 | 350 | 39.8% | 100 | 42 | 63 | 420 |"), "\(md)")
        #expect(md.contains("| nats-server | 42 | 210 | 23.9% | 100 | 25.2 | 37.8 | 252 |"), "\(md)")
        #expect(md.contains("| **stack** | **176** | **880** | **100.0%** | **400** | **106** | **158** | **1056** |"), "\(md)")
        #expect(md.contains("÷ the 120,000 events rsbench published in it"))
        #expect(md.contains("> ⚠️ rsbench took 35% of the machine"))
        #expect(!MarkdownReportWriter().markdown(Self.report(rsbenchPercent: 40)).contains("⚠️ rsbench took"))
    }

    @Test func htmlShowsTheTableAndAStackedBarPerFigure() throws {
        let r = Self.report()
        let html = try HTMLReportWriter().renderString(r)
        #expect(html.contains("<h2>Resources and CPU per event</h2>"))
        #expect(html.contains("<tr class=\"total\"><td>stack</td><td>176</td><td>880</td>"), "the stack's row")
        #expect(html.contains("<p class=\"warning\"><span class=\"mark warn\">warning</span> rsbench took 35% of the machine"))
        #expect(html.contains("data-chart=\"cpu-per-event\""))
        let chart = CostTable.chart(r)
        #expect(html.contains(chart.render()))
        #expect(chart.segments == ["rsbench", "risksignal", "nats-server", "clickhouse"])
        for (segment, value) in [("rsbench", "350"), ("risksignal", "130"), ("nats-server", "210"), ("clickhouse", "190")] {
            #expect(html.contains("data-bar=\"measured window\" data-segment=\"\(segment)\" data-value=\"\(value)\""), "\(segment)")
        }
        #expect(html.contains("data-bar=\"whole run\" data-segment=\"rsbench\" data-value=\"420\""))
        // The total printed after each bar is the stack's figure.
        #expect(html.contains(">880</text>") && html.contains(">1056</text>"))
    }
}
