import ArgumentParser
import Foundation
import Reporting
import LocalStack
import RiskSignalCore
import Scenario
import ScenarioRun

/// `rsbench run <scenario.yaml>`: the main job.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario against the real pipeline and measure it.",
        discussion: """
            Brings up the local stack (unless URLs are given: the flags, the scenario's `target:`, or \
            NATS_URL/CLICKHOUSE_URL in the environment), recreates the `rsbench` database and the \
            streams, starts `risksignal run` as its own process, then paces every workload open-loop: each \
            event is sent at its intended time, and lateness is recorded as schedule lag, never hidden. \
            After warm-up and the measured window it drains the pipeline, measures end-to-end lag in \
            ClickHouse (ingested_at − intended send time), evaluates the gates, and stops what it started.

            While it runs, http://127.0.0.1:9465/metrics (--metrics-port) serves the live figures as Prometheus text, \
            under the gate metrics' names (schedule_lag.p99 is rsbench_schedule_lag_seconds{statistic="p99"}); \
            see deploy/grafana/rsbench.json for a dashboard.

            Exit codes: 0 all gates pass, 1 a gate failed, 2 invalid run (rsbench could not hold the \
            schedule, or took more of the machine than limits.rsbench_cpu), 3 error or Ctrl-C. Every run \
            reports CPU-µs per published event for each process and the whole stack.

            Every run writes reports/<UTC time>-<scenario>/ (summary.json, report.md, report.html, junit.xml, \
            environment.json) and points reports/latest at it; see docs/summary-schema.md.

            Examples:
              rsbench run scenarios/peak.yaml
              rsbench run scenarios/ci.yaml --duration 10s --rate-scale 0.5 --abort-on-fail
              rsbench run scenarios/baseline.yaml --nats-url nats://nats:4222 --clickhouse-url http://ch:8123
            """
    )

    @Argument(help: "The scenario file (see scenarios/README.md).") var scenario: String
    @Option(help: "Override the measured duration, like 30s or 5m.") var duration: String?
    @Option(help: "Multiply every workload's rate.") var rateScale: Double?
    @Option(help: "Override the scenario's random seed.") var seed: UInt64?
    @Option(help: "Also write the run's summary.json (schema rsbench.summary/1) to this file.") var out: String?
    @Option(name: .customLong("nats-url"), help: "Use this NATS instead of the local stack (env NATS_URL).") var natsURL: String?
    @Option(name: .customLong("clickhouse-url"), help: "Use this ClickHouse instead of the local endpoint (env CLICKHOUSE_URL).") var clickHouseURL: String?
    @Flag(help: "Leave the local stack running if this run started it.") var keepStack = false
    @Flag(help: "Stop as soon as a live gate (schedule lag, ack latency, backlog, CPU, RSS) is breached.") var abortOnFail = false
    @Flag(help: "Event ids from the seed only, the same every run (default: a per-run nonce, so a re-run within JetStream's 2-minute duplicate window is not deduplicated away).") var repeatableIds = false
    @Option(help: "Where run reports go (a folder per run, and `latest`).") var reports: String = "reports"
    @Flag(help: "Do not write the reports folder.") var noReport = false
    @OptionGroup var live: LiveMetricsOptions

    func run() async throws {
        let s: Scenario
        do { s = try ScenarioParser.load(path: scenario) } catch {
            print(error)
            throw ExitCode(3)
        }
        var o = RunOverrides()
        if let duration {
            switch Duration.parseScenario(duration) {
            case .success(let d): o.duration = d
            case .failure(let m): throw ValidationError("--duration \(duration): \(m)")
            }
        }
        if let rateScale {
            guard rateScale.isFinite, (1e-6...1e6).contains(rateScale) else { throw ValidationError("--rate-scale \(rateScale): expected a positive multiplier in 1e-06...1e+06") }
            o.rateScale = rateScale
        }
        o.seed = seed
        o.natsURL = natsURL
        o.clickHouseURL = clickHouseURL
        o.keepStack = keepStack
        o.abortOnFail = abortOnFail
        o.repeatableIDs = repeatableIds
        o.metricsPort = try live.port()
        guard let root = StackConfig.findProjectRoot() else {
            throw ValidationError("cannot find the project checkout (stack/chdb_server.py) from \(FileManager.default.currentDirectoryPath)")
        }
        let reportsDir = reports.hasPrefix("/") ? reports : (root as NSString).appendingPathComponent(reports)
        try requireWritable(out.output("--out"), noReport ? nil : OutputPath(flag: "--reports", path: reportsDir, kind: .folder))
        let runner = ScenarioRunner(scenario: s, overrides: o, projectRoot: root, output: { print($0) })
        let report = await withTaskCancellationOnSignals { await runner.run() }
        print(ConsoleSummary.render(report))
        if !noReport {
            do {
                let written = try ReportDirectory(root: URL(fileURLWithPath: reportsDir)).write(report)
                print("report: \(written.directory.path)/report.html (also report.md, summary.json, junit.xml; \(reportsDir)/latest)")
            } catch {
                print("could not write the report under \(reportsDir): \(error)")
            }
        }
        if let out {
            try Data(SummaryJSONWriter().render(report)).write(to: URL(fileURLWithPath: out))
            print("wrote \(out)")
        }
        if report.verdict.status != .pass { throw ExitCode(report.verdict.status.exitCode) }
    }
}

/// `--metrics-port` of `run` and `search`: where the live figures are served while a run (or probe) is in progress.
struct LiveMetricsOptions: ParsableArguments {
    @Option(help: "Serve the live figures (gate metrics, process_*, build info) as Prometheus text at http://127.0.0.1:<port>/metrics while running (env RSBENCH_METRICS_PORT; 0: off).")
    var metricsPort: Int = Int(ProcessInfo.processInfo.environment["RSBENCH_METRICS_PORT"] ?? "") ?? 9465

    /// The port to serve on, nil for none; out of range is an error naming the flag.
    func port() throws -> Int? {
        guard (0...65535).contains(metricsPort) else { throw ValidationError("--metrics-port \(metricsPort): expected 0...65535 (0: no endpoint)") }
        return metricsPort == 0 ? nil : metricsPort
    }
}

/// `rsbench validate <scenario>`: every problem in the file at once.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check a scenario file and print every problem with its file, line and key.",
        discussion: """
            Example:
              rsbench validate scenarios/peak.yaml
            """
    )

    @Argument(help: "Scenario files.") var scenarios: [String]

    func run() throws {
        var failed = false
        for path in scenarios {
            do {
                let s = try ScenarioParser.load(path: path)
                // Exactly what `rsbench run` checks before it starts (one function for both).
                let problems = ScenarioCheck.problems(s)
                if !problems.isEmpty {
                    problems.forEach { print($0) }
                    failed = true
                    continue
                }
                let total = s.workloads.reduce(0) { $0 + $1.rate.meanRate } * s.rateScale
                print("\(path): ok — \(s.workloads.count) workloads, ~\(Int(total)) events/s, \(s.duration) measured after \(s.warmup) warm-up, \(s.injections.count) injections, \(s.gates.count) gates")
            } catch {
                print(error)
                failed = true
            }
        }
        if failed { throw ExitCode(3) }
    }
}

extension Duration {
    static func parseScenario(_ text: String) -> Result<Duration, Problem> {
        ScenarioDurations.parse(text)
    }
}

/// Runs `body`; the first SIGINT/SIGTERM cancels it so it can stop cleanly and mark the run aborted.
func withTaskCancellationOnSignals<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
    (try? await ShutdownSignals.run { await body() })!
}
