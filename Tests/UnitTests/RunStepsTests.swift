import Foundation
import Histogram
import Measurement
import Pipeline
import Reporting
import RiskSignalCore
import Scenario
@testable import ScenarioRun
import Testing

/// The steps of `rsbench run` that need no servers: the RS_* contract, the metric catalogue, gates and the target.
@Suite("Run steps")
struct RunStepsTests {
    static func report(workloads: [WorkloadStats] = [], tables: [TableStats] = [], scheduleP99Ms: Double = 1,
                       resources: [ProcessResources] = []) -> RunReport {
        var r = RunReport(scenario: ScenarioRef(name: "t", file: "t.yaml", sha256: ""), startedAt: Date(), endedAt: Date(), durationSeconds: 10,
                          verdict: Verdict(status: .error), environment: .unknown, workloads: workloads)
        r.tables = tables
        r.resources = resources
        r.latency.scheduleLag = LatencySummary(count: 10, p50: 0.5, p90: 0.8, p99: scheduleP99Ms, p999: scheduleP99Ms, max: scheduleP99Ms, mean: 0.5)
        r.latency.e2eCorrected = LatencySummary(count: 10, p50: 120, p90: 300, p99: 450, p999: 480, max: 500, mean: 150)
        return r
    }

    @Test func launcherEnvironmentIsWhatThePipelineResolves() throws {
        let yaml = """
            duration: 10s
            pipeline:
              batch_size: { trades: 777, market: 50 }
              max_wait: { trades: 20ms }
            workloads:
              - { name: t, generator: trades, rate: 10 }
            """
        let scenario = try ScenarioParser.parse(yaml, file: "env.yaml")
        let env = PipelineLauncher.environment(for: scenario.pipeline, webhookURL: "http://127.0.0.1:1/alerts", secret: "s3")
        #expect(env.variables["RS_TRADES_BATCH_SIZE"] == "777")
        let o = try PipelineOptions.resolve(consumers: ["trades", "market", "social"], environment: env.variables, connection: ConnectionConfig())
        let byName = Dictionary(uniqueKeysWithValues: o.consumers.map { ($0.name, $0) })
        #expect(byName["trades"]?.policy.batchSize == 777)
        #expect(byName["trades"]?.policy.maxWait == .milliseconds(20))
        #expect(byName["market"]?.policy.batchSize == 50)
        #expect(byName["social"]?.policy.maxWait == .seconds(1), "rsbench shortens social's one-minute batches")
        #expect(o.sentiment.piiSalt == "rsbench")
        #expect(o.webhooks.secret == "s3")
        #expect(try PipelineEnvironment(parsing: env.variables, consumers: []).webhookURLs == ["http://127.0.0.1:1/alerts"])
    }

    @Test func flagsOverrideTheEnvironmentAndAckWaitLeavesRoomForTheBatch() throws {
        let o = try PipelineOptions.resolve(consumers: ["signals"], environment: ["RS_SIGNALS_BATCH_SIZE": "5", "RS_SIGNALS_MAX_WAIT": "30"],
                                            connection: ConnectionConfig(), overrides: ConsumerOverrides(batchSize: 9))
        #expect(o.consumers[0].policy.batchSize == 9)
        #expect(o.consumers[0].policy.maxWait == .seconds(30))
        #expect(o.consumers[0].ackWait >= .seconds(60))
    }

    @Test func badPipelineVariablesNameTheVariable() {
        #expect(throws: PipelineConfigError.badVariable("RS_TRADES_BATCH_SIZE", "many", expected: "a positive number of messages")) {
            try PipelineOptions.resolve(consumers: ["trades"], environment: ["RS_TRADES_BATCH_SIZE": "many"], connection: ConnectionConfig())
        }
        #expect(throws: PipelineConfigError.unknownConsumer("trade")) {
            try PipelineOptions.resolve(consumers: ["trade"], environment: [:], connection: ConnectionConfig())
        }
        #expect(throws: PipelineConfigError.self) {
            try PipelineOptions.resolve(consumers: ["social"], environment: ["OPENAI_BASE_URL": "http://127.0.0.1:9"], connection: ConnectionConfig(), sentiment: .openai)
        }
    }

    @Test func metricCatalogReadsTheReportInCanonicalUnits() {
        let w = WorkloadStats(name: "trades", source: "trades", table: "trades", offeredPerSecond: 100, published: 1000, measuredPublished: 900,
                              acked: 1000, failed: 2, duplicates: 3, stored: 995, lost: 7)
        var t = TableStats(table: "trades", rows: 900, rowsPerSecond: 90, bytesOnDisk: 1_048_576, uncompressedBytes: 4_194_304, activeParts: 4)
        t.bytesPerSecond = 1234
        let r = Self.report(workloads: [w], tables: [t], resources: [ProcessResources(name: "rsbench", cpuSeconds: 1, cpuPercentMean: 40, cpuPercentMax: 80, rssMaxMB: 64)])
        #expect(MetricCatalog.value("e2e_lag.p99", in: r) == 0.45)
        #expect(MetricCatalog.value("lost", in: r) == 7)
        #expect(MetricCatalog.value("failed_publishes", in: r) == 2)
        #expect(MetricCatalog.value("achieved_rate.trades", in: r) == 90)
        #expect(MetricCatalog.value("achieved_ratio", in: r) == 0.9)
        #expect(MetricCatalog.value("insert_rows_per_s.trades", in: r) == 90)
        #expect(MetricCatalog.value("insert_rows_per_s.nope", in: r) == nil)
        #expect(MetricCatalog.value("insert_bytes_per_s", in: r) == 1234)
        #expect(MetricCatalog.value("compression_ratio.trades", in: r) == 4)
        #expect(MetricCatalog.value("disk_mb", in: r) == 1)
        #expect(MetricCatalog.value("cpu.rsbench", in: r) == 0.4)
        #expect(MetricCatalog.value("rss_mb.rsbench", in: r) == 64)
        #expect(MetricCatalog.value("alert_latency.p99", in: r) == nil, "no alerts, no alert latency")
        #expect(MetricCatalog.kind(of: "consumer_pending") == nil && MetricCatalog.kind(of: "consumer_pending.max") == .count)
        #expect(MetricCatalog.direction(of: "insert_rows_per_s.trades") == .higherIsBetter)
        #expect(MetricCatalog.direction(of: "e2e_lag") == .lowerIsBetter)
    }

    @Test func gatesPassFailOrAreMissingAndInvalidityComesFirst() throws {
        let yaml = """
            duration: 10s
            limits: { schedule_lag_p99: 5ms }
            workloads:
              - { name: t, generator: trades, rate: 10 }
            gates:
              - e2e_lag.p99 < 500ms
              - lost == 0
              - alert_latency.p99 < 1s
            """
        let gates = GateEvaluator(scenario: try ScenarioParser.parse(yaml, file: "g.yaml"))
        var ok = Self.report()
        gates.finish(&ok)
        #expect(ok.gates.map(\.verdict) == [.pass, .pass, .missing])
        #expect(ok.gates[0].measured == 450 && ok.gates[0].unit == "ms" && ok.gates[0].threshold == 500)
        #expect(ok.gates[2].note == "not measured in this run")
        #expect(ok.verdict.status == .failed, "a gate that was not measured does not pass")

        var late = Self.report(scheduleP99Ms: 12)
        gates.finish(&late)
        #expect(late.verdict.status == .invalid)
        #expect(late.invalidReasons.first?.contains("schedule lag p99 12.0 ms is over the limit of 5.0 ms") == true)
        GateEvaluator.closeVerdict(&late)
        #expect(late.verdict.reasons.contains { $0.hasPrefix("schedule lag p99") })
    }

    @Test func liveGatesOnlyLookAtLiveMetrics() throws {
        let yaml = """
            duration: 10s
            workloads:
              - { name: t, generator: trades, rate: 10 }
            gates:
              - e2e_lag.p99 < 1ms
              - schedule_lag.p99 < 2ms
            """
        let gates = GateEvaluator(scenario: try ScenarioParser.parse(yaml, file: "live.yaml"))
        #expect(gates.firstBreachedLiveGate(in: Self.report(scheduleP99Ms: 1)) == nil, "e2e lag is not known while running")
        let breach = try #require(gates.firstBreachedLiveGate(in: Self.report(scheduleP99Ms: 3)))
        #expect(breach.0.expression == "schedule_lag.p99 < 2ms")
        #expect(abs(breach.1 - 0.003) < 1e-12)
    }

    @Test func explicitURLsNeverStartTheLocalStack() throws {
        let flags = try RunTarget.resolve(natsURL: "nats://127.0.0.1:1", clickHouseURL: "http://127.0.0.1:2", environment: [:], projectRoot: nil)
        #expect(!flags.isLocal && flags.connection.natsURLs == ["nats://127.0.0.1:1"] && flags.connection.clickHouseURL == "http://127.0.0.1:2")
        let env = try RunTarget.resolve(environment: ["NATS_URL": "nats://127.0.0.1:3", "CLICKHOUSE_URL": "http://127.0.0.1:4"], projectRoot: nil)
        #expect(!env.isLocal && env.connection.natsURLs == ["nats://127.0.0.1:3"] && env.connection.clickHouseURL == "http://127.0.0.1:4")
        let natsOnly = try RunTarget.resolve(environment: ["NATS_URL": "nats://127.0.0.1:5"], projectRoot: nil, needs: .natsOnly)
        #expect(!natsOnly.isLocal && natsOnly.connection.natsURLs == ["nats://127.0.0.1:5"])
        #expect(throws: RunError.self) { try RunTarget.resolve(environment: [:], projectRoot: nil) }
        #expect(throws: ConfigError.self) { try RunTarget.resolve(natsURL: "http://nope", environment: [:], projectRoot: nil) }
    }

    @Test func localTargetWithoutStartingIsTheStackConfig() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        let t = try RunTarget.resolve(environment: ["NATS_PORT": "14222"], projectRoot: root, needs: .natsOnly, startLocal: false)
        #expect(t.isLocal && t.startedStack == nil)
        #expect(t.connection.natsURLs == ["nats://127.0.0.1:14222"])
    }

    @Test func histogramsSummariseInMilliseconds() {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for us in [1000, 2000, 3000, 4000] { _ = h.record(UInt64(us)) }
        let s = LatencySummary(histogram: h)
        #expect(s.count == 4)
        #expect(abs(s.max - 4) < 0.01 && abs(s.mean - 2.5) < 0.01)
        var m = HistogramMerge()
        m.add(h); m.add(h)
        #expect(m.summary?.count == 8)
        #expect(LatencySummary(histogram: Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 1000, numberOfSignificantValueDigits: .three)) == .empty)
    }

    @Test func consoleSummaryKeepsItsLines() {
        var r = Self.report(workloads: [WorkloadStats(name: "trades", source: "trades", offeredPerSecond: 100, published: 1000, measuredPublished: 1000, acked: 1000)])
        r.verdict.status = .failed
        r.gates = [GateResult(expression: "e2e_lag.p99 < 100ms", metric: "e2e_lag.p99", measured: 450, unit: "ms", comparison: "<", threshold: 100, verdict: .fail)]
        let text = ConsoleSummary.render(r)
        #expect(text.contains("═══ t: FAILED_GATES ═══"))
        #expect(text.contains("end-to-end lag (ingested_at − intended send): p50 120.0 · p90 300.0 · p99 450.0"))
        #expect(text.contains("gate FAIL  e2e_lag.p99 < 100ms  (measured 0.45)"), "gates print in the scenario's units")
    }
}
