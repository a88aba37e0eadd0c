import Foundation
import Observability
import Reporting
@testable import ScenarioRun
import Testing

/// rsbench's live `/metrics` text from a known live report: the gate metrics under their names and canonical units.
@Suite struct LiveFiguresTests {
    func figures() -> LiveFigures {
        var r = RunReport(scenario: ScenarioRef(name: "t", file: "t.yaml", sha256: ""), startedAt: Date(), endedAt: Date(), durationSeconds: 1,
                          verdict: Verdict(status: .pass), environment: EnvironmentFingerprint.unknown)
        // Latencies are in ms in the report; gates (and /metrics) read seconds.
        r.latency.scheduleLag = LatencySummary(count: 10, p50: 1, p90: 2, p99: 4, p999: 5, max: 8, mean: 1.5)
        r.latency.publishAck = LatencySummary(count: 10, p50: 10, p90: 20, p99: 40, p999: 50, max: 80, mean: 15)
        r.pipeline.maxConsumerPending = 1234
        r.resources = [ProcessResources(name: "rsbench", pid: 1, cpuSeconds: 1, cpuPercentMean: 25, cpuPercentMax: 40, rssMaxMB: 64)]
        return LiveFigures(scenario: "t", elapsedSeconds: 7, measuring: true, report: r,
                           workloads: [.init(name: "trades", offeredPerSecond: 1000, achievedPerSecond: 998, published: 5000, failed: 2, duplicates: 0)],
                           pendingByConsumer: ["trades": 12], rowsPerSecond: 990)
    }

    @Test func gateMetricsKeepTheirNamesAndCanonicalUnits() {
        var text = PrometheusText()
        figures().render(into: &text)
        let lines = Set(text.text.split(separator: "\n").map(String.init))
        for expected in [
            #"rsbench_schedule_lag_seconds{statistic="p99"} 0.004"#, #"rsbench_schedule_lag_seconds{statistic="max"} 0.008"#,
            #"rsbench_publish_latency_seconds{statistic="p50"} 0.01"#, #"rsbench_consumer_pending{statistic="max"} 1234"#,
            #"rsbench_consumer_pending{consumer="trades"} 12"#, #"rsbench_cpu{process="rsbench"} 0.25"#, #"rsbench_rss_mb{process="rsbench"} 64"#,
            #"rsbench_offered_rate{workload="trades"} 1000"#, #"rsbench_achieved_rate{workload="trades"} 998"#,
            #"rsbench_published_total{workload="trades"} 5000"#, #"rsbench_failed_publishes_total{workload="trades"} 2"#,
            "rsbench_insert_rows_per_s 990", "rsbench_run_measuring 1", #"rsbench_run_elapsed_seconds{scenario="t"} 7"#,
            "# TYPE rsbench_published_total counter", "# TYPE rsbench_schedule_lag_seconds gauge",
        ] {
            #expect(lines.contains(expected), "\(expected) in:\n\(text.text)")
        }
        // No uncorrected publish latency was measured: its family is left out rather than served empty.
        #expect(!text.text.contains("rsbench_publish_latency_uncorrected_seconds"))
    }

    @Test func labelValuesAreEscaped() {
        var text = PrometheusText()
        text.family("x", .gauge, help: "h", samples: [([("a", "q\"b\\c\nd")], 1.5)])
        #expect(text.text == "# HELP x h\n# TYPE x gauge\nx{a=\"q\\\"b\\\\c\\nd\"} 1.5\n")
    }
}
