import Foundation
import Observability
import Measurement
import Reporting
import Scenario
import Testing
@testable import ScenarioRun

/// Cost per event: the per-process CPU over the measured window and the whole run (from the once-a-second readings),
/// the `limits.rsbench_cpu` share, `cpu_us_per_event.<process>` gates, and the validity rule built on them.
@Suite struct CostPerEventTests {
    /// Readings once a second from t = 1 to t = 13: 0.5 CPU-s per second during a 3 s warm-up, 0.2 after.
    func series(process: String = "risksignal") -> ResourceSeries {
        var s = ResourceSeries(process: process, pid: 1)
        var cpu = 10.0  // CPU the process had used before the run: never counted
        for t in 1...13 {
            s.record(ProcStat(cpuSeconds: cpu, rssBytes: UInt64(100 + t) * 1_048_576), at: Double(t))
            cpu += t < 3 ? 0.5 : 0.2
        }
        return s
    }

    @Test func windowCPUExcludesWarmUpAndWholeRunKeepsItAndTheDrain() {
        var s = series()
        // Window [3, 13]: ten seconds at 0.2.
        #expect(abs(s.cpuSeconds(from: 3, to: 13) - 2.0) < 1e-9)
        // Before the drain reading, the whole run is first to last reading: 2 × 0.5 + 10 × 0.2.
        #expect(abs(s.cpuSecondsWholeRun - 3.0) < 1e-9)
        s.recordAfterDrain(ProcStat(cpuSeconds: 10 + 3.0 + 1.5, rssBytes: 900 * 1_048_576), at: 20)
        #expect(abs(s.cpuSecondsWholeRun - 4.5) < 1e-9, "the drain's CPU counts in the whole run")
        #expect(abs(s.wholeRunSeconds - 19) < 1e-9)
        #expect(s.cpu.count == 12, "the drain reading adds no per-second sample")
        let r = s.resources(window: 3, to: 13)
        #expect(abs(r.cpuSeconds - 2.0) < 1e-9)
        #expect(abs(r.cpuPercentMean - 20) < 1e-9, "mean over the window, not over the warm-up")
        #expect(abs(r.cpuPercentMax - 20) < 1e-9, "the warm-up's 50 % is outside the window")
        #expect(abs((r.cpuSecondsWholeRun ?? 0) - 4.5) < 1e-9)
        #expect(r.rssMaxMB == 900, "the after-drain RSS counts in the peak")
        // The live view (every sample so far) still includes the warm-up.
        #expect(s.resources.cpuPercentMax == 50)
    }

    @Test func windowEdgesBetweenReadingsAreInterpolated() {
        let s = series()
        // From 2.5 (half-way through a 0.5 CPU-s second) to 4.5: 0.25 + 0.2 + 0.1.
        #expect(abs(s.cpuSeconds(from: 2.5, to: 4.5) - 0.55) < 1e-9)
        // A window starting before the first reading (no warm-up) is clamped to what was read, and says so.
        #expect(s.covered(from: 0, to: 13) == 1...13)
        #expect(abs(s.cpuSeconds(from: 0, to: 13) - 3.0) < 1e-9)
        #expect(s.covered(from: 20, to: 30) == nil)
        #expect(s.cpuSeconds(from: 20, to: 30) == 0)
        #expect(ResourceSeries(process: "x", pid: 1).cpuSecondsWholeRun == 0)
    }

    @Test func perProcessFiguresShareOneDenominatorAndAddUpToTheStack() {
        var resources = ["rsbench", "risksignal", "nats-server", "clickhouse"].enumerated().map { i, name in
            var s = series(process: name)
            s.recordAfterDrain(ProcStat(cpuSeconds: 10 + 3.0 + Double(i), rssBytes: 0), at: 20)
            return s.resources(window: 3, to: 13)
        }
        let cost = CPUCost.compute(&resources, events: 10_000, eventsWholeRun: 13_000, windowSeconds: 10, wholeRunSeconds: 19, cores: 2)
        for r in resources {
            #expect(abs((r.cpuUsPerEvent ?? 0) - 200) < 1e-6, "2 CPU-s ÷ 10,000 events = 200 µs")
        }
        #expect(abs((resources[3].cpuUsPerEventWholeRun ?? 0) - 6e6 / 13_000) < 1e-6)
        #expect(abs((cost.stack.cpuUsPerEvent ?? 0) - resources.compactMap(\.cpuUsPerEvent).reduce(0, +)) < 1e-9)
        #expect(abs((cost.stack.cpuUsPerEventWholeRun ?? 0) - resources.compactMap(\.cpuUsPerEventWholeRun).reduce(0, +)) < 1e-9)
        #expect(abs(cost.stack.cpuPercentMean - 80) < 1e-9)
        // rsbench at 20 % of one core on 2 cores is 10 % of the machine: no warning.
        #expect(abs((cost.rsbenchShare ?? 0) - 0.1) < 1e-9)
        #expect(cost.warning == nil)
    }

    @Test func zeroEventsGiveNoPerEventFigure() {
        var resources = [series().resources(window: 3, to: 13)]
        let cost = CPUCost.compute(&resources, events: 0, eventsWholeRun: 0, windowSeconds: 10, wholeRunSeconds: 12, cores: 2)
        #expect(resources[0].cpuUsPerEvent == nil)
        #expect(resources[0].cpuUsPerEventWholeRun == nil)
        #expect(cost.stack.cpuUsPerEvent == nil)
        #expect(cost.stack.cpuSeconds > 0, "the CPU is still reported")
    }

    // MARK: limits.rsbench_cpu

    func limits(_ value: String) throws(ScenarioErrors) -> Scenario {
        try ScenarioParser.parse("""
            name: limits
            duration: 5s
            limits:
              schedule_lag_p99: 50ms
              rsbench_cpu: \(value)
            workloads:
              - { name: a, generator: signals, rate: 10 }
            """, file: "limits.yaml")
    }

    @Test(arguments: [("0.5", 0.5), ("50%", 0.5), ("25 %", 0.25), ("1", 1.0), ("100%", 1.0), ("0.05", 0.05)])
    func rsbenchCPUIsAShareOfTheMachine(text: String, share: Double) throws {
        #expect(abs(try limits(text).limits.rsbenchCPU - share) < 1e-12)
    }

    @Test func rsbenchCPUDefaultsToNinetyPercentOfTheMachine() throws {
        let s = try ScenarioParser.parse("duration: 5s\nworkloads:\n  - { name: a, generator: signals, rate: 10 }\n", file: "d.yaml")
        #expect(s.limits.rsbenchCPU == 0.9)
    }

    @Test(arguments: ["150%", "0", "0%", "-0.2", "1.5", "fifty", "50 percent", "[1]", "nan"])
    func badRsbenchCPUIsNamedWithFileLineAndKey(text: String) {
        do {
            _ = try limits(text)
            Issue.record("accepted rsbench_cpu: \(text)")
        } catch {
            #expect(error.issues.count == 1, "\(error)")
            let issue = error.issues[0]
            #expect(issue.file == "limits.yaml")
            #expect(issue.line == 5)
            #expect(issue.key == "limits.rsbench_cpu")
            #expect(issue.message.contains("share of the machine") && issue.message.contains("50%"), "\(issue.message)")
            #expect(issue.description.hasPrefix("limits.yaml:5:"), "\(issue.description)")
        }
    }

    // MARK: gates

    func scenario(gates: [String]) throws -> Scenario {
        try ScenarioParser.parse("""
            name: gates
            duration: 5s
            workloads:
              - { name: trades, generator: trades, rate: 10 }
            gates:
            \(gates.map { "  - \($0)" }.joined(separator: "\n"))
            """, file: "gates.yaml")
    }

    @Test func cpuPerEventGatesForEveryProcessAndTheStack() throws {
        let s = try scenario(gates: ["cpu_us_per_event.rsbench <= 10", "cpu_us_per_event.risksignal < 40", "cpu_us_per_event.nats-server < 50us",
                                     "cpu_us_per_event.clickhouse < 50 µs", "cpu_us_per_event.stack <= 80"])
        #expect(ScenarioCheck.problems(s).isEmpty, "\(ScenarioCheck.problems(s))")
        #expect(s.gates.allSatisfy { $0.kind == .cpuPerEvent })
        #expect(s.gates.map(\.threshold) == [10, 40, 50, 50, 80])
        #expect(MetricCatalog.direction(of: "cpu_us_per_event.stack") == .lowerIsBetter)
        #expect(!MetricCatalog.isLive("cpu_us_per_event.rsbench"), "known only after the window")
    }

    @Test func unknownProcessInACPUPerEventGateNamesTheGateAndTheKnownNames() throws {
        for (gate, expected) in [
            ("cpu_us_per_event.nats <= 10", #"unknown process "nats" in cpu_us_per_event.nats; expected one of rsbench, risksignal, nats-server, clickhouse, stack"#),
            ("cpu_us_per_event.stak <= 10", #"(did you mean stack?)"#),
            ("cpu_us_per_event <= 10", "cpu_us_per_event needs a process, like cpu_us_per_event.rsbench (one of rsbench, risksignal, nats-server, clickhouse, stack)"),
        ] {
            let problems = ScenarioCheck.problems(try scenario(gates: [gate]))
            #expect(problems.count == 1, "\(gate): \(problems)")
            let p = try #require(problems.first)
            #expect(p.hasPrefix("gates.yaml:6: gates: \(gate): ") && p.contains(expected), "\(p)")
        }
        // The stack is a cost, not a process: `cpu.stack` stays unknown.
        #expect(ScenarioCheck.problems(try scenario(gates: ["cpu.stack < 90%"])).first?.contains(#"unknown process "stack""#) == true)
    }

    @Test func cpuPerEventGateTakesMicrosecondsOnly() {
        for bad in ["cpu_us_per_event.stack < 10ms", "cpu_us_per_event.stack < lots", "cpu_us_per_event.stack < -1"] {
            guard case .failure(let m) = Gate.parse(bad) else { Issue.record("accepted \(bad)"); continue }
            #expect(m.text.contains("CPU microseconds per event"), "\(m.text)")
        }
    }

    // MARK: validity

    func report(rsbenchPercentOfOneCore: Double, cores: Int) -> RunReport {
        var resources = [ProcessResources(name: "rsbench", cpuSeconds: rsbenchPercentOfOneCore / 100 * 10, cpuPercentMean: rsbenchPercentOfOneCore,
                                          cpuPercentMax: rsbenchPercentOfOneCore, rssMaxMB: 50, cpuSecondsWholeRun: 1)]
        var r = RunReport(scenario: ScenarioRef(name: "v", file: "v.yaml", sha256: ""), startedAt: Date(), endedAt: Date(), durationSeconds: 10,
                          verdict: Verdict(status: .pass), environment: .unknown)
        r.cost = CPUCost.compute(&resources, events: 1000, eventsWholeRun: 1200, windowSeconds: 10, wholeRunSeconds: 12, cores: cores)
        r.resources = resources
        return r
    }

    @Test func rsbenchOverItsShareWarnsThenPastTheLimitInvalidates() throws {
        var s = try limits("50%")
        s.gates = []
        let quiet = report(rsbenchPercentOfOneCore: 40, cores: 2)  // 20 % of the machine
        #expect(quiet.cost?.warning == nil)
        #expect(GateEvaluator(scenario: s).invalidReasons(quiet).isEmpty)

        let busy = report(rsbenchPercentOfOneCore: 70, cores: 2)  // 35 %: over the 25 % warning, under the 50 % limit
        let warning = try #require(busy.cost?.warning)
        #expect(warning.contains("35%") && warning.contains("25%"), "\(warning)")
        #expect(ConsoleSummary.render(busy).contains("WARNING: rsbench took 35% of the machine"))
        #expect(GateEvaluator(scenario: s).invalidReasons(busy).isEmpty)

        var over = report(rsbenchPercentOfOneCore: 130, cores: 2)  // 65 %
        let reasons = GateEvaluator(scenario: s).invalidReasons(over)
        #expect(reasons.count == 1)
        #expect(reasons.first?.contains("rsbench took 65% of the machine (2 cores)") == true && reasons.first?.contains("limits.rsbench_cpu of 50%") == true, "\(reasons)")
        GateEvaluator(scenario: s).finish(&over)
        #expect(over.verdict.status == .invalid)
        #expect(over.verdict.status.exitCode == 2, "the exit code of the other validity limits")
    }
}
