import Foundation
import Scenario
import Testing
@testable import ScenarioRun

/// `rsbench validate` rejects exactly what `rsbench run` rejects, with the same message: both call `ScenarioCheck`,
/// and its generator checks are the ones `WorkloadFactory.plan` (run's workload set-up) makes.
@Suite struct ScenarioCheckTests {
    func scenario(gates: [String] = [], params: String = "{ symbols: 3 }", extra: String = "") throws -> Scenario {
        let yaml = """
            name: check
            duration: 5s
            warmup: 1s
            workloads:
              - name: books
                generator: l2
                rate: 100
              - name: trades
                generator: trades
                rate: 50
                params: \(params)
            \(extra)
            \(gates.isEmpty ? "" : "gates:\n" + gates.map { "  - \($0)" }.joined(separator: "\n"))
            """
        return try ScenarioParser.parse(yaml, file: "check.yaml")
    }

    /// What run says: `ScenarioCheck.require` (called first by run), or the message run's workload set-up throws.
    func runRejection(_ s: Scenario) -> String? {
        do { try ScenarioCheck.require(s) } catch { return error.description.replacingOccurrences(of: "invalid scenario: ", with: "") }
        for w in s.workloads {
            do { _ = try WorkloadFactory.plan(for: w, scenario: s, end: s.warmup + s.duration) } catch { return "\(error)" }
        }
        return nil
    }

    @Test func gatesOnUnknownWorkloadsTablesAndProcesses() throws {
        let cases: [(String, String)] = [
            ("achieved_rate.bookz > 90", #"unknown workload "bookz" in achieved_rate.bookz (did you mean books?); expected one of books, trades"#),
            ("offered_rate.social > 1", #"unknown workload "social" in offered_rate.social"#),
            ("insert_rows_per_s.trade > 10", #"unknown table "trade" in insert_rows_per_s.trade (did you mean trades?)"#),
            ("disk_mb.user_orders < 10", #"unknown table "user_orders" in disk_mb.user_orders"#),
            ("cpu.rsbnech < 90%", #"unknown process "rsbnech" in cpu.rsbnech (did you mean rsbench?); expected one of rsbench, risksignal, nats-server, clickhouse"#),
            ("rss_mb.postgres < 100", #"unknown process "postgres" in rss_mb.postgres"#),
            ("cpu < 90%", "cpu needs a process"),
            ("lost.trades == 0", #"lost takes no qualifier, got ".trades""#),
            ("consumer_pending.min < 10", "expected consumer_pending.max"),
            ("alert_stage.detect.p99.liquidity_dorp < 20ms", #"unknown rule "liquidity_dorp" in alert_stage.detect.p99.liquidity_dorp (did you mean liquidity_drop?)"#),
        ]
        for (gate, expected) in cases {
            let s = try scenario(gates: [gate])
            let problems = ScenarioCheck.problems(s)
            #expect(problems.count == 1, "\(gate): \(problems)")
            let p = try #require(problems.first)
            #expect(p.hasPrefix("check.yaml:") && p.contains("gates: \(gate): ") && p.contains(expected), "\(p)")
            let run = try #require(runRejection(s), "run must reject \(gate) too")
            #expect(run == p, "validate and run say the same")
        }
        // Valid qualifiers pass both.
        let ok = try scenario(gates: ["achieved_rate.books > 90", "insert_rows_per_s.trades > 10", "disk_mb.book_topn < 100", "cpu.rsbench < 90%",
                                      "rss_mb.risksignal < 900", "consumer_pending.max < 1000", "e2e_lag.p99 < 5s", "lost == 0", "insert_rows_per_s > 1",
                                      "alert_stage.detect.p99 < 20ms", "alert_stage.dispatch.p99.spread_blowout < 100ms"])
        #expect(ScenarioCheck.problems(ok).isEmpty, "\(ScenarioCheck.problems(ok))")
        #expect(runRejection(ok) == nil)
    }

    @Test func aPipelinePolicyFileIsReadAndItsErrorsNamed() throws {
        let dir = NSTemporaryDirectory() + "policy-check-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let good = dir + "/good.yaml", bad = dir + "/bad.yaml"
        try "rules:\n  liquidity_drop:\n    drop_fraction: 0.9\n".write(toFile: good, atomically: true, encoding: .utf8)
        try "rules:\n  liquidity_drop:\n    drop_fraction: lots\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let ok = try scenario(extra: "pipeline: { policy: \(good) }")
        #expect(ok.pipeline.policy == good)
        #expect(ScenarioCheck.problems(ok).isEmpty, "\(ScenarioCheck.problems(ok))")
        let wrong = try scenario(extra: "pipeline: { policy: \(bad) }")
        let p = try #require(ScenarioCheck.problems(wrong).first)
        #expect(p.hasPrefix("check.yaml: pipeline.policy: ") && p.contains("bad.yaml") && p.contains("drop_fraction"), "\(p)")
        #expect(runRejection(wrong) == p, "validate and run say the same")
        let missing = try scenario(extra: "pipeline: { policy: no-such-policy.yaml }")
        #expect(ScenarioCheck.problems(missing).first?.contains("cannot read the policy file") == true, "\(ScenarioCheck.problems(missing))")
    }

    @Test func generatorParamsRunRejectsValidateRejectsTheSame() throws {
        for params in ["{ buy_probability: 2 }", "{ depth: 1.5 }", "{ symbols: -3 }", "{ median_notional: -1 }"] {
            let s = try scenario(params: params)
            let problems = ScenarioCheck.problems(s)
            let p = try #require(problems.first, "validate must reject \(params)")
            #expect(p.hasPrefix("check.yaml:") && p.contains("workloads.trades.params."), "\(p)")
            // Run's own workload set-up (WorkloadFactory.plan) says exactly the same.
            let w = try #require(s.workloads.first { $0.name == "trades" })
            do {
                _ = try WorkloadFactory.plan(for: w, scenario: s, end: s.warmup + s.duration)
                Issue.record("run accepted \(params)")
            } catch {
                #expect("\(error)".contains(p), "\(error) vs \(p)")
            }
        }
    }

    @Test func missingReplayCaptureIsNamed() throws {
        let yaml = """
            name: replay-check
            duration: 5s
            workloads:
              - name: tape
                replay: no-such-capture.ndjson.zst
            """
        let s = try ScenarioParser.parse(yaml, file: "r.yaml")
        let p = try #require(ScenarioCheck.problems(s).first)
        #expect(p.contains("r.yaml:") && p.contains("workloads.tape.replay") && p.contains("no-such-capture.ndjson.zst"), "\(p)")
    }
}
