import ArgumentParser
import Foundation
import Synchronization
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

            --dashboard serves a live page on 127.0.0.1 while the run goes on: offered vs achieved, \
            end-to-end and publish-ack lag, pending per consumer, CPU and RSS per process (the report's \
            charts), and each gate as it stands, pushed every second as server-sent events; when the run \
            ends the page links the report and stays up --dashboard-linger.

            Repeated runs and baselines: --repeat N runs the scenario N times, one after another on one stack (each \
            from a clean database and a fresh pipeline), into reports/<UTC time>-<scenario>-xN/: run-1/ … run-N/ \
            (each a full report), runs.json (the list `rsbench compare` reads as one side) and report.md. \
            --save-baseline NAME keeps the runs' summary.json files as reports/baselines/NAME/ (tracked in git; \
            replaces what was there). --baseline NAME gates the new runs against that folder with the rules of \
            `rsbench compare` (--tolerance, --default-tolerance, --only, --alpha as there), prints the comparison \
            table, writes comparison.md and comparison.json next to the reports, and exits 1 on a regression beyond \
            noise when no worse exit code applies. At α 0.05 the Mann–Whitney test needs 4 runs a side; with fewer, the \
            tolerance band decides, and the table says so. The flags and the baseline are checked before any load is sent.

            Examples:
              rsbench run scenarios/peak.yaml
              rsbench run scenarios/ci.yaml --duration 10s --rate-scale 0.5 --abort-on-fail
              rsbench run scenarios/peak.yaml --dashboard --dashboard-port 8090
              rsbench run scenarios/baseline.yaml --nats-url nats://nats:4222 --clickhouse-url http://ch:8123
              rsbench run scenarios/ci.yaml --repeat 4 --save-baseline ci
              rsbench run scenarios/ci.yaml --repeat 4 --baseline ci
              rsbench run scenarios/ci.yaml --baseline ci --only insert_rows_per_s
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
    @Flag(help: "Serve a live page of the run on 127.0.0.1 (charts, gates, progress, pushed every second; the report linked at the end).") var dashboard = false
    @Option(help: "Port of the live page (0: any free port; the URL is printed).") var dashboardPort: Int = 0
    @Option(help: "How long the live page stays up after the run, so it can open the report, like 30s or 0s.") var dashboardLinger: String = "30s"
    @Option(name: .customLong("repeat"), help: "Run the scenario this many times (1–\(RunSetError.maxRepeat)) into one folder, for compare and baselines.")
    var repeatCount: Int = 1
    @Option(help: "Gate the run(s) against reports/baselines/<name>/ with the compare rules; exit 1 on a regression beyond noise.")
    var baseline: String?
    @Option(help: "Keep the run(s) as reports/baselines/<name>/ (each run's summary.json and runs.json), replacing that folder.")
    var saveBaseline: String?
    @OptionGroup(title: "Baseline comparison (with --baseline)") var compare: CompareFlags
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
        guard (0...65535).contains(dashboardPort) else { throw ValidationError("--dashboard-port \(dashboardPort): expected 0 (any free port) or a port in 1...65535") }
        var linger = Duration.zero
        switch Duration.parseScenario(dashboardLinger) {
        case .success(let d): linger = d
        case .failure(let m): throw ValidationError("--dashboard-linger \(dashboardLinger): \(m)")
        }
        let reportsDir = reports.hasPrefix("/") ? reports : (root as NSString).appendingPathComponent(reports)
        try requireWritable(out.output("--out"), noReport ? nil : OutputPath(flag: "--reports", path: reportsDir, kind: .folder))
        // Everything --repeat/--baseline/--save-baseline need is checked (and the baseline read) before any load.
        let gate = try checkedSetFlags(scenario: s, reportsDir: reportsDir)
        var page: DashboardSession?
        if dashboard {
            do { page = try await DashboardSession.start(port: dashboardPort) } catch {
                print("error: \(error)")
                throw ExitCode(2)
            }
            print("[run] live page: \(page!.url)")
        }
        let runner = ScenarioRunner(scenario: s, overrides: o, projectRoot: root, live: page?.dashboard, output: { print($0) })
        let output = RunOutput(reportsDir: reportsDir, count: repeatCount, scenario: s.name, write: !noReport)
        let series = RunSeries(runner: runner, count: repeatCount)
        let lastFolder = Mutex<String?>(nil)
        let runs = await withTaskCancellationOnSignals {
            await series.run { number, report in
                print(ConsoleSummary.render(report))
                let folder = output.write(report, number: number)
                lastFolder.withLock { $0 = folder }
            }
        }
        let comparison = gate.flatMap { compareWithBaseline(runs, $0) }
        output.finish(runs, comparison: comparison)
        if let saveBaseline { try save(runs, as: saveBaseline, reportsDir: reportsDir) }
        if let page, let report = runs.last {
            if linger > .zero { print("[run] the live page stays up \(linger) more (--dashboard-linger): \(page.url)") }
            await page.finish(report, reportDirectory: lastFolder.withLock { $0 }, linger: linger)
        }
        if let outPath = out, let report = runs.last {
            try Data(SummaryJSONWriter().render(report)).write(to: URL(fileURLWithPath: outPath))
            print("wrote \(outPath)")
        }
        let worst = runs.map(\.verdict.status.exitCode).max() ?? 3
        if worst != 0 { throw ExitCode(worst) }
        if comparison?.hasRegression == true { throw ExitCode(1) }
    }

    /// A kept baseline, read before the run, and the rules to compare with it.
    struct BaselineGate {
        var name: String
        var runs: [RunReport]
        var options: CompareOptions
    }

    /// The baseline gate when --baseline is given, after checking every set flag.
    func checkedSetFlags(scenario s: Scenario, reportsDir: String) throws -> BaselineGate? {
        do {
            guard (1...RunSetError.maxRepeat).contains(repeatCount) else { throw RunSetError.badRepeat(String(repeatCount)) }
            if repeatCount > 1, let out { throw RunSetError.outWithRepeat(path: out) }
            if let saveBaseline { try BaselineStore.checkName(saveBaseline, flag: "--save-baseline") }
            guard let baseline else { return nil }
            let options = try compare.options()
            let runs = try BaselineStore(reports: URL(fileURLWithPath: reportsDir)).load(baseline, scenario: s.name)
            return BaselineGate(name: baseline, runs: runs, options: options)
        } catch let e as RunSetError {
            throw ValidationError(e.description)
        }
    }

    /// Compares the runs that are measurements with the baseline and prints the table.
    func compareWithBaseline(_ reports: [RunReport], _ gate: BaselineGate) -> ComparisonReport? {
        // An invalid, errored or aborted run's numbers do not describe the system; they stay out of the test.
        let measured = reports.filter(\.verdict.status.isMeasurement)
        guard !measured.isEmpty else {
            print("[baseline] no run is a valid measurement (all invalid, errored or aborted): nothing to compare with baseline \(gate.name)")
            return nil
        }
        if measured.count < reports.count { print("[baseline] comparing \(measured.count) of \(reports.count) runs (the others were invalid, errored or aborted)") }
        do {
            let c = try RunComparator(options: gate.options).compare(baseline: gate.runs, candidate: measured)
            print("[baseline] baseline \(gate.name) (\(gate.runs.count) runs) vs this run (\(measured.count)):\n")
            print(c.markdown())
            return c
        } catch {
            print("[baseline] cannot compare with baseline \(gate.name): \(error)")
            return nil
        }
    }

    /// Keeps the runs as a baseline unless one of them is not a measurement; then it says why (the exit code,
    /// 2 or 3 from that run, already fails).
    func save(_ reports: [RunReport], as name: String, reportsDir: String) throws {
        guard !reports.isEmpty, reports.allSatisfy(\.verdict.status.isMeasurement) else {
            print(RunSetError.nothingToSave(flag: "--save-baseline", name: name, statuses: reports.map(\.verdict.status.rawValue)).description)
            return
        }
        let dir = try BaselineStore(reports: URL(fileURLWithPath: reportsDir)).save(reports, as: name)
        print("baseline: kept \(reports.count) run(s) in \(dir.path); commit it to gate CI against it")
    }
}

/// `--metrics-port` of `run` and `search`: where the live figures are served while a run (or probe) is in progress.
struct LiveMetricsOptions: ParsableArguments {
    @Option(help: "Serve the live figures (gate metrics, process_*, build info) as Prometheus text at http://127.0.0.1:<port>/metrics while running (default 9465, env RSBENCH_METRICS_PORT; 0: off).")
    var metricsPort: Int?

    /// The port to serve on (the flag, else RSBENCH_METRICS_PORT, else 9465), nil for none; a value that is not a port
    /// is an error naming where it came from, never replaced by the default.
    func port() throws -> Int? {
        var port = metricsPort ?? 9465
        var source = "--metrics-port"
        if metricsPort == nil, let text = ProcessInfo.processInfo.environment["RSBENCH_METRICS_PORT"] {
            guard let p = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("RSBENCH_METRICS_PORT=\(text): expected a port in 0...65535 (0: no endpoint)")
            }
            port = p
            source = "RSBENCH_METRICS_PORT"
        }
        guard (0...65535).contains(port) else { throw ValidationError("\(source) \(port): expected 0...65535 (0: no endpoint)") }
        return port == 0 ? nil : port
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
