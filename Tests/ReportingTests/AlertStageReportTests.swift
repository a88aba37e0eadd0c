import Foundation
import Testing
@testable import Reporting

/// The alert stages in the run model: gate names, values, summary.json, report.md, report.html and the console.
@Suite struct AlertStageReportTests {
    static func summary(p50: Double, p99: Double, count: UInt64 = 10) -> LatencySummary {
        LatencySummary(count: count, p50: p50, p90: p99 * 0.9, p99: p99, p999: p99, max: p99 * 1.2, mean: p50)
    }

    static func report() -> RunReport {
        var r = Fixtures.report()
        let drop: [String: LatencySummary] = [
            "to_detector": summary(p50: 3, p99: 9), "detect": summary(p50: 0.2, p99: 1), "publish": summary(p50: 1, p99: 4),
            "dispatch": summary(p50: 12, p99: 30), "webhook": summary(p50: 2, p99: 6), "answer": summary(p50: 0.5, p99: 1),
        ]
        let velocity: [String: LatencySummary] = ["to_detector": summary(p50: 8, p99: 20), "detect": summary(p50: 0.1, p99: 0.5)]
        r.alertStages = AlertStages(rules: [RuleStages(rule: "liquidity_drop", alerts: 3, stages: drop),
                                            RuleStages(rule: "order_velocity", alerts: 2, stages: velocity)],
                                    overall: drop.merging(["to_detector": summary(p50: 5, p99: 20)]) { $1 }, unstamped: 1)
        return r
    }

    @Test func stageGateNamesAreDurationsAndWrongOnesAreRefused() {
        for good in ["alert_stage.detect.p99", "alert_stage.to_detector.p50", "alert_stage.webhook.max", "alert_stage.dispatch.p99.liquidity_drop"] {
            #expect(MetricCatalog.kind(of: good) == .duration, "\(good)")
        }
        for bad in ["alert_stage", "alert_stage.detect", "alert_stage.detection.p99", "alert_stage.detect.p42", "alert_stage.detect.p99.", "alert_stage.batch_wait.p99"] {
            #expect(MetricCatalog.kind(of: bad) == nil, "\(bad)")
        }
        #expect(MetricCatalog.summary.contains("alert_stage.{to_detector,detect,publish,dispatch,webhook,answer}.<statistic>[.<rule>]"))
    }

    @Test func stageValuesAreSecondsOverallAndPerRule() {
        let r = Self.report()
        #expect(MetricCatalog.value("alert_stage.detect.p99", in: r) == 0.001)
        #expect(MetricCatalog.value("alert_stage.to_detector.p99", in: r) == 0.02)
        #expect(MetricCatalog.value("alert_stage.to_detector.p50.order_velocity", in: r) == 0.008)
        // Not measured: no value, so a gate on it is reported missing rather than passing.
        #expect(MetricCatalog.value("alert_stage.webhook.p99.order_velocity", in: r) == nil)
        #expect(MetricCatalog.value("alert_stage.detect.p99.social_buzz", in: r) == nil)
        #expect(MetricCatalog.value("alert_stage.detect.p99", in: Fixtures.report()) == nil)
    }

    @Test func summaryJSONCarriesTheStagesAndOldSummariesStillLoad() throws {
        let r = Self.report()
        let data = Data(try SummaryJSONWriter().render(r))
        #expect(try RunReport.decode(from: data).alertStages == r.alertStages)
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let stages = try #require(json["alertStages"] as? [String: Any])
        #expect((stages["rules"] as? [[String: Any]])?.map { $0["rule"] as? String } == ["liquidity_drop", "order_velocity"])
        json.removeValue(forKey: "alertStages")
        #expect(try RunReport.decode(from: try JSONSerialization.data(withJSONObject: json)).alertStages == nil)
    }

    @Test func markdownAndConsoleNameEachStage() {
        let md = MarkdownReportWriter().markdown(Self.report())
        #expect(md.contains("#### Where the alert time goes (ms)"))
        #expect(md.contains("| rule | alerts | to_detector p50 | to_detector p99 | detect p50 | detect p99 | publish p50 | publish p99 | dispatch p50 | dispatch p99 | webhook p50 | webhook p99 | answer p50 | answer p99 |"))
        let velocity = md.split(separator: "\n").first { $0.hasPrefix("| order_velocity |") }.map(String.init) ?? ""
        // Stages the rule's alerts did not reach are shown as not measured, not as 0.
        #expect(velocity.hasSuffix("| — | — | — | — | — | — | — | — |"), "\(velocity)")
        #expect(md.contains("1 alert(s) without stage instants"))
        #expect(!MarkdownReportWriter().markdown(Fixtures.report()).contains("Where the alert time goes"))
        let console = ConsoleSummary.render(Self.report())
        #expect(console.contains("alert stages p99 (ms):"))
        #expect(console.contains("dispatch 30 ·"), "\(console)")
    }

    @Test func htmlHasAStackedBarPerRuleOfTheStagesThatAddUp() throws {
        let html = HTMLReportWriter().html(Self.report())
        #expect(html.contains("data-chart=\"alert-stages\""))
        let regex = try NSRegularExpression(pattern: #"data-bar="([^"]*)" data-segment="([^"]*)" data-value="([^"]*)""#)
        let ns = html as NSString
        let segs = regex.matches(in: html, range: NSRange(location: 0, length: ns.length)).map {
            (ns.substring(with: $0.range(at: 1)), ns.substring(with: $0.range(at: 2)), ns.substring(with: $0.range(at: 3)))
        }
        #expect(segs.filter { $0.0 == "liquidity_drop" }.map { $0.1 } == ["to_detector", "detect", "publish", "dispatch", "webhook"])
        #expect(segs.filter { $0.0 == "liquidity_drop" }.map { $0.2 } == ["3", "0.2", "1", "12", "2"])
        // answer comes after the receipt, so it is in the table but never stacked.
        #expect(!segs.contains { $0.1 == "answer" })
        #expect(html.contains("<th>answer p99</th>"))
    }
}
