import Foundation
import LoadDriver
import LocalStack
import Reporting
import RiskSignalCore
import Scenario
import ScenarioRun
import Testing

/// A real run on the local stack, scraped while it runs: rsbench's `/metrics` serves the live gate metrics under
/// their gate names, both processes serve plausible `process_*` figures and a build-info gauge, the pipeline's
/// `/readyz` says ready, and every metric the Grafana dashboards query is one of the names those scrapes exported.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: RisksignalProcess.binary), "build the executables first (`swift build`)"))
final class LiveMetricsTests {
    let stack: TestStack

    init() throws { stack = try TestStack(name: "live-metrics") }

    deinit { stack.stop() }

    /// Everything the scrapes during one run saw.
    struct Seen: Sendable {
        var rsbench: Scrape?
        var pipeline: Scrape?
        var rsbenchNames: Set<String> = []
        var pipelineNames: Set<String> = []
        var readyz: [(status: Int, body: String)] = []
    }

    /// Runs a short scenario with every workload and an order-velocity spike (so an alert is raised and delivered),
    /// scraping rsbench's and the pipeline's endpoints twice a second while it runs.
    func runScraped() async throws -> (RunReport, Seen) {
        let yaml = """
            name: live-metrics
            duration: 8s
            warmup: 2s
            drain_timeout: 30s
            limits: { schedule_lag_p99: 30s, rsbench_cpu: 100% }
            workloads:
              - { name: books, generator: l2, rate: 100, params: { symbols: 3 } }
              - { name: trades, generator: trades, rate: 100, params: { symbols: 3 } }
              - { name: orders, generator: orders, rate: 50 }
              - { name: frontend, generator: frontend, rate: 10 }
              - { name: social, generator: social, rate: 10 }
              - { name: signals, generator: signals, rate: 20 }
            injections:
              - { at: 3s, kind: order_velocity, target: "42", magnitude: 50, duration: 4s }
            gates:
              - lost == 0
            """
        var o = RunOverrides()
        o.natsURL = stack.stack.config.natsURL
        o.clickHouseURL = stack.stack.config.clickHouseURL
        o.database = "live_metrics"
        let port = LoopbackProbe.freePort()
        o.metricsPort = port
        let lines = Locked<[String]>([])
        let runner = ScenarioRunner(scenario: try ScenarioParser.parse(yaml, file: "live-metrics.yaml"), overrides: o, projectRoot: TestStack.projectRoot,
                                    output: { l in lines.withLock { $0.append(l) } })
        let seen = Locked(Seen())
        let scraper = Task {
            while !Task.isCancelled {
                if let s = Scrape.get(port: port) { seen.withLock { $0.rsbench = s; $0.rsbenchNames.formUnion(s.names) } }
                // The pipeline's port is in the line that announces it.
                let announced = lines.withLock { $0.first { $0.contains("[run] pipeline up") } }
                if let line = announced, let r = line.range(of: #"127\.0\.0\.1:(\d+)/metrics"#, options: .regularExpression),
                   let p = Int(line[r].dropFirst("127.0.0.1:".count).prefix { $0.isNumber }) {
                    if let s = Scrape.get(port: p) { seen.withLock { $0.pipeline = s; $0.pipelineNames.formUnion(s.names) } }
                    if let r = LoopbackProbe.httpGet(host: "127.0.0.1", port: p, path: "/readyz", timeout: .seconds(5)) {
                        seen.withLock { $0.readyz.append((r.status, r.body)) }
                    }
                }
                try? await Task.sleep(for: .milliseconds(500))
            }
        }
        let report = await runner.run()
        scraper.cancel()
        await scraper.value
        return (report, seen.withLock { $0 })
    }

    @Test func runServesGateMetricsProcessFiguresReadinessAndWhatTheDashboardsQuery() async throws {
        let (report, seen) = try await runScraped()
        #expect(report.lost == 0, "\(report.notes)")
        let rsbench = try #require(seen.rsbench, "rsbench's /metrics answered during the run")
        let pipeline = try #require(seen.pipeline, "the pipeline's /metrics answered during the run")

        // rsbench: each live gate family under its gate name, with the gate's suffix as a label.
        for family in MetricCatalog.liveFamilies {
            #expect(seen.rsbenchNames.contains("rsbench_\(family)") || seen.rsbenchNames.contains("rsbench_\(family)_seconds"),
                    "live gate family \(family) is served: \(seen.rsbenchNames.sorted())")
        }
        for series in [#"rsbench_schedule_lag_seconds{statistic="p99"}"#, #"rsbench_publish_latency_seconds{statistic="p99"}"#,
                       #"rsbench_cpu{process="rsbench"}"#, #"rsbench_rss_mb{process="risksignal"}"#, #"rsbench_consumer_pending{statistic="max"}"#,
                       #"rsbench_offered_rate{workload="trades"}"#, #"rsbench_achieved_rate{workload="trades"}"#] {
            #expect(rsbench.value(series) != nil, "\(series) in:\n\(rsbench.text)")
        }
        // The schedule lag rsbench served is the gate's value: seconds, and no more than the run's final figure.
        let lagP99 = try #require(rsbench.value(#"rsbench_schedule_lag_seconds{statistic="p99"}"#))
        #expect(lagP99 >= 0 && lagP99 < 30)
        #expect((rsbench.value(#"rsbench_published_total{workload="trades"}"#) ?? 0) > 0)

        // Both processes: process_* figures that make sense, and the build-info gauge.
        for (name, scrape) in [("rsbench", rsbench), ("risksignal", pipeline)] {
            try expectPlausibleProcessMetrics(scrape, name)
            let info = try #require(scrape.samples.first { $0.series.hasPrefix("\(name)_build_info{") }, "\(name)_build_info")
            #expect(info.value == 1)
            #expect(info.series.contains(#"version="\#(Release.version)""#) && info.series.contains("swift_version=\"6.")
                    && info.series.contains("libnats_version=\"3."), "\(info.series)")
        }

        // The pipeline was ready while the run sent: NATS connected, ClickHouse answering, every loop alive.
        #expect(seen.readyz.contains { $0.status == 200 && $0.body.hasPrefix("ready") }, "readyz answers: \(seen.readyz.map { "\($0.status) \($0.body)" })")

        // Every metric a dashboard panel (or variable) queries was exported by the process it watches.
        for (file, exported) in [("risksignal.json", seen.pipelineNames), ("rsbench.json", seen.rsbenchNames)] {
            let queried = try DashboardQueries.metricNames(file: TestStack.projectRoot + "/deploy/grafana/" + file)
            #expect(queried.count >= 10, "\(file) queries \(queried.sorted())")
            let missing = queried.subtracting(exported)
            #expect(missing.isEmpty, "\(file) queries metrics the code does not export: \(missing.sorted()); exported: \(exported.sorted())")
        }
    }

    /// `process_cpu_seconds_total` > 0, RSS between 1 MiB and 64 GiB, 3 to 100 000 open fds, started within the last day.
    func expectPlausibleProcessMetrics(_ s: Scrape, _ name: String) throws {
        let cpu = try #require(s.value("process_cpu_seconds_total"), "\(name) process_cpu_seconds_total")
        let rss = try #require(s.value("process_resident_memory_bytes"), "\(name) process_resident_memory_bytes")
        let fds = try #require(s.value("process_open_fds"), "\(name) process_open_fds")
        let start = try #require(s.value("process_start_time_seconds"), "\(name) process_start_time_seconds")
        #expect(cpu > 0 && cpu < 86_400, "\(name) cpu \(cpu)")
        #expect(rss > 1_048_576 && rss < 64 * 1_073_741_824, "\(name) rss \(rss)")
        #expect(fds >= 3 && fds < 100_000, "\(name) fds \(fds)")
        let now = Date().timeIntervalSince1970
        #expect(start > now - 86_400 && start <= now + 1, "\(name) started at \(start), now \(now)")
    }
}

/// The metric names a Grafana dashboard's PromQL reads: every panel target's `expr` and every query variable.
enum DashboardQueries {
    static func metricNames(file: String) throws -> Set<String> {
        guard let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: file])
        }
        var exprs: [String] = []
        func walk(_ panels: [[String: Any]]) {
            for p in panels {
                for t in p["targets"] as? [[String: Any]] ?? [] { if let e = t["expr"] as? String { exprs.append(e) } }
                walk(p["panels"] as? [[String: Any]] ?? [])
            }
        }
        walk(json["panels"] as? [[String: Any]] ?? [])
        for v in (json["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? [] where v["type"] as? String == "query" {
            if let q = v["query"] as? String { exprs.append(q) }
        }
        return Set(exprs.flatMap(names(in:)))
    }

    /// Metric names in one PromQL expression: identifiers that are not functions, keywords, label names, label
    /// values, ranges or Grafana variables.
    static func names(in expr: String) -> [String] {
        var e = expr
        for pattern in [#""(?:[^"\\]|\\.)*""#, #"\{[^}]*\}"#, #"\[[^\]]*\]"#, #"\$\{?\w+\}?"#,
                        #"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#] {
            e = e.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        // label_values(metric, label): the second argument is a label.
        e = e.replacingOccurrences(of: #"label_values\(\s*([A-Za-z_:][A-Za-z0-9_:]*)\s*,\s*\w+\s*\)"#, with: "$1", options: .regularExpression)
        let keywords: Set<String> = ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless", "inf", "nan"]
        let regex = try! NSRegularExpression(pattern: #"[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?"#)
        return regex.matches(in: e, range: NSRange(e.startIndex..., in: e)).compactMap { m -> String? in
            guard m.range(at: 1).location == NSNotFound, let r = Range(m.range, in: e) else { return nil }
            let word = String(e[r])
            // A digit-led token was never matched; an exponent like 1e6 starts with a digit and so is skipped too.
            if let start = Range(m.range, in: e)?.lowerBound, start > e.startIndex, e[e.index(before: start)].isNumber { return nil }
            return keywords.contains(word.lowercased()) ? nil : word
        }
    }
}

@Suite struct DashboardQueryParsingTests {
    @Test func extractsMetricNamesNotFunctionsLabelsOrVariables() {
        let names = DashboardQueries.names(in: #"histogram_quantile(0.99, sum by (le, consumer) (rate(risksignal_insert_latency_seconds_bucket{job="$job",x=~"a|b"}[$__rate_interval]))) / 1e3 + on (instance) group_left process_open_fds"#)
        #expect(names == ["risksignal_insert_latency_seconds_bucket", "process_open_fds"])
        #expect(DashboardQueries.names(in: "label_values(rsbench_build_info, job)") == ["rsbench_build_info"])
    }
}
