import Foundation
import Testing
@testable import Reporting

/// The e2e stages in the run model: gate names, values, summary.json, report.md and report.html.
@Suite struct E2EStageReportTests {
    static func summary(p50: Double, p99: Double, count: UInt64 = 100) -> LatencySummary {
        LatencySummary(count: count, p50: p50, p90: p99 * 0.9, p99: p99, p999: p99, max: p99 * 1.2, mean: p50)
    }

    static func report() -> RunReport {
        var r = Fixtures.report()
        let trades: [String: LatencySummary] = [
            "publish": summary(p50: 2, p99: 9), "fetch_wait": summary(p50: 4, p99: 12), "batch_wait": summary(p50: 30, p99: 90),
            "insert": summary(p50: 6, p99: 40), "visible": summary(p50: 50, p99: 99),
        ]
        let books: [String: LatencySummary] = ["fetch_wait": summary(p50: 3, p99: 11), "batch_wait": summary(p50: 70, p99: 180), "insert": summary(p50: 5, p99: 30)]
        r.stages = E2EStages(tables: [TableStages(table: "trades", stages: trades, stampedRows: 100, unstampedRows: 0, inserts: 120),
                                      TableStages(table: "book_topn", stages: books, stampedRows: 100, unstampedRows: 7)],
                             overall: ["fetch_wait": summary(p50: 3.5, p99: 12), "batch_wait": summary(p50: 55, p99: 170), "insert": summary(p50: 5.5, p99: 35),
                                       "publish": summary(p50: 2, p99: 9)],
                             visiblePollMs: 100)
        return r
    }

    @Test func stageGateNamesAreDurationsAndWrongOnesAreRefused() {
        for good in ["e2e_stage.batch_wait.p99", "e2e_stage.publish.p50", "e2e_stage.visible.max", "e2e_stage.insert.p99.trades", "e2e_stage.fetch_wait.mean"] {
            #expect(MetricCatalog.kind(of: good) == .duration, "\(good)")
        }
        for bad in ["e2e_stage", "e2e_stage.batch_wait", "e2e_stage.batching.p99", "e2e_stage.batch_wait.p42", "e2e_stage.insert.p99.", "e2e_stage.insert.p99.trades.x"] {
            #expect(MetricCatalog.kind(of: bad) == nil, "\(bad)")
        }
        #expect(MetricCatalog.summary.contains("e2e_stage.{publish,fetch_wait,batch_wait,insert,visible}"))
    }

    @Test func stageValuesAreSecondsOverallAndPerTable() {
        let r = Self.report()
        #expect(MetricCatalog.value("e2e_stage.batch_wait.p99", in: r) == 0.17)
        #expect(MetricCatalog.value("e2e_stage.batch_wait.p99.book_topn", in: r) == 0.18)
        #expect(MetricCatalog.value("e2e_stage.visible.p50.trades", in: r) == 0.05)
        // Not measured: no value, so a gate on it is reported missing rather than passing.
        #expect(MetricCatalog.value("e2e_stage.visible.p50", in: r) == nil)
        #expect(MetricCatalog.value("e2e_stage.publish.p50.book_topn", in: r) == nil)
        #expect(MetricCatalog.value("e2e_stage.insert.p99.frontend_actions", in: r) == nil)
        #expect(MetricCatalog.value("e2e_stage.insert.p99", in: Fixtures.report()) == nil)
    }

    @Test func summaryJSONCarriesTheStagesAndOldSummariesStillLoad() throws {
        let r = Self.report()
        let data = Data(try SummaryJSONWriter().render(r))
        let back = try RunReport.decode(from: data)
        #expect(back.stages == r.stages)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let stages = try #require(json["stages"] as? [String: Any])
        let tables = try #require(stages["tables"] as? [[String: Any]])
        #expect(tables.map { $0["table"] as? String } == ["trades", "book_topn"])
        let batch = try #require((tables[0]["stages"] as? [String: Any])?["batch_wait"] as? [String: Any])
        #expect(batch["p99"] as? Double == 90)
        // A summary written before stages existed loads, with none.
        var old = json
        old.removeValue(forKey: "stages")
        let oldReport = try RunReport.decode(from: try JSONSerialization.data(withJSONObject: old))
        #expect(oldReport.stages == nil)
    }

    @Test func markdownShowsEachStageP50AndP99PerTable() {
        let md = MarkdownReportWriter().markdown(Self.report())
        #expect(md.contains("#### Where the end-to-end time goes (ms)"))
        #expect(md.contains("| table | publish p50 | publish p99 | fetch_wait p50 | fetch_wait p99 | batch_wait p50 | batch_wait p99 | insert p50 | insert p99 | visible p50 | visible p99 | inserts/s |"))
        let trades = md.split(separator: "\n").first { $0.hasPrefix("| trades |") && $0.contains("—") == false }
        #expect(trades != nil)
        let books = md.split(separator: "\n").first { $0.hasPrefix("| book_topn |") }.map(String.init) ?? ""
        // book_topn has no publish or visible stage in this run: shown as not measured, not as 0.
        #expect(books.hasPrefix("| book_topn | — | — |"))
        #expect(md.contains("every 100 ms"))
        // 120 inserts over the fixture's 60 s window.
        #expect(trades?.hasSuffix("| 2 |") == true)
        #expect(md.contains("7 row(s) without consumer-side instants"))
        #expect(!MarkdownReportWriter().markdown(Fixtures.report()).contains("Where the end-to-end time goes"))
    }

    @Test func htmlHasAStackedBarPerTableOfTheStagesThatAddUp() throws {
        let html = HTMLReportWriter().html(Self.report())
        #expect(html.contains("data-chart=\"e2e-stages\""))
        let regex = try NSRegularExpression(pattern: #"data-bar="([^"]*)" data-segment="([^"]*)" data-value="([^"]*)""#)
        let ns = html as NSString
        let segs = regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map {
            (ns.substring(with: $0.range(at: 1)), ns.substring(with: $0.range(at: 2)), ns.substring(with: $0.range(at: 3)))
        }
        #expect(segs.filter { $0.0 == "trades" }.map { $0.1 } == ["fetch_wait", "batch_wait", "insert", "visible"])
        #expect(segs.filter { $0.0 == "trades" }.map { $0.2 } == ["4", "30", "6", "50"])
        #expect(segs.filter { $0.0 == "book_topn" }.map { $0.1 } == ["fetch_wait", "batch_wait", "insert"])
        #expect(segs.contains { $0.0 == "all tables" && $0.1 == "batch_wait" && $0.2 == "55" })
        // publish overlaps fetch_wait, so it is in the table but never stacked.
        #expect(!segs.contains { $0.1 == "publish" })
        #expect(html.contains("<th>publish p99</th>"))
    }
}
