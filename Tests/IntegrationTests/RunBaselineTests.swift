import Foundation
import XCTest

/// `rsbench run --repeat / --save-baseline / --baseline` and `rsbench compare --json` as a user runs them, on the local
/// stack the first run starts (its own home and free ports): the set folder and the kept baseline on disk, a gated run
/// that passes, one that regresses (exit 1), and bad flags refused before anything starts.
final class RunBaselineTests: XCTestCase {
    struct Sandbox {
        var dir: String
        var env: [String: String]
        var binary: String
        var reports: String { dir + "/reports" }

        /// Runs rsbench to the end; its exit code and everything it printed.
        func rsbench(_ args: [String], timeout: Duration = .seconds(300)) throws -> (code: Int32?, printed: String) {
            let log = dir + "/out-\(UUID().uuidString).log"
            let pid = try Spawned.start(binary, args, env: env, cwd: TestStack.projectRoot, output: log)
            let code = Spawned.wait(pid, timeout: timeout)
            return (code, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
    }

    func sandbox() throws -> Sandbox {
        let binary = TestStack.projectRoot + "/.build/debug/rsbench"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        let dir = NSTemporaryDirectory() + "rsbench-baseline-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let env = IsolatedStack.environment(home: dir + "/home")
        // Short, light and with generous validity limits: a debug build on a shared 2-core box is judged by the gates only.
        try """
            name: baseline-test
            duration: 4s
            warmup: 1s
            drain_timeout: 30s
            limits: { schedule_lag_p99: 10s, rsbench_cpu: 100% }
            workloads:
              - { name: trades, generator: trades, rate: 400, params: { symbols: 3 } }
            gates:
              - lost == 0
            """.write(toFile: dir + "/baseline-test.yaml", atomically: true, encoding: .utf8)
        return Sandbox(dir: dir, env: env, binary: binary)
    }

    func testRepeatSaveBaselineGateAndCompareJSON() throws {
        let s = try sandbox()
        defer {
            IsolatedStack.down(s.binary, env: s.env)
            try? FileManager.default.removeItem(atPath: s.dir)
        }
        let scenario = s.dir + "/baseline-test.yaml"
        let fm = FileManager.default

        // Two runs into one folder, kept as baseline "t"; the stack stays up for the runs below.
        let kept = try s.rsbench(["run", scenario, "--repeat", "2", "--save-baseline", "t", "--reports", s.reports, "--keep-stack"])
        XCTAssertEqual(kept.code, 0, kept.printed)
        XCTAssertTrue(kept.printed.contains("[repeat] run 2 of 2"), kept.printed)
        let setName = try XCTUnwrap(try fm.destinationOfSymbolicLink(atPath: s.reports + "/latest"))
        XCTAssertTrue(setName.hasSuffix("-baseline-test-x2"), setName)
        for file in ["runs.json", "report.md", "run-1/summary.json", "run-1/report.html", "run-2/summary.json"] {
            XCTAssertTrue(fm.fileExists(atPath: "\(s.reports)/\(setName)/\(file)"), file)
        }
        XCTAssertEqual(Set(try fm.contentsOfDirectory(atPath: s.reports + "/baselines/t")), ["runs.json", "run-1", "run-2"])
        XCTAssertEqual(try fm.contentsOfDirectory(atPath: s.reports + "/baselines/t/run-1"), ["summary.json"])

        // The same load against it passes: insert rows/s is set by the offered rate, well inside ±25 %.
        let gateFlags = ["--baseline", "t", "--only", "insert_rows_per_s,achieved_rate", "--default-tolerance", "25"]
        let same = try s.rsbench(["run", scenario, "--reports", s.reports] + gateFlags)
        XCTAssertEqual(same.code, 0, same.printed)
        XCTAssertTrue(same.printed.contains("Rule: the Mann–Whitney U test cannot reach α 0.05 with 2 vs 1 runs"), same.printed)
        XCTAssertTrue(same.printed.contains("| insert_rows_per_s.trades |"), "the comparison table is printed:\n\(same.printed)")
        XCTAssertTrue(same.printed.contains("✅ no regression"), same.printed)
        let runDir = try XCTUnwrap(try fm.destinationOfSymbolicLink(atPath: s.reports + "/latest"))
        XCTAssertTrue(fm.fileExists(atPath: "\(s.reports)/\(runDir)/comparison.json"), "comparison.json next to the run's report")

        // Half the load is a 50 % drop in insert rows/s: a regression beyond noise, exit 1.
        let half = try s.rsbench(["run", scenario, "--reports", s.reports, "--rate-scale", "0.5"] + gateFlags)
        XCTAssertEqual(half.code, 1, half.printed)
        XCTAssertTrue(half.printed.contains("❌ regression"), half.printed)
        XCTAssertTrue(half.printed.contains("🔴 regressed"), half.printed)

        // compare --json reads the baseline folder and a run folder; exit 1 and a parseable document on the regression.
        let json = try s.rsbench(["compare", s.reports + "/baselines/t", s.reports + "/latest", "--only", "insert_rows_per_s", "--json"])
        XCTAssertEqual(json.code, 1, json.printed)
        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.printed.utf8)) as? [String: Any], json.printed)
        XCTAssertEqual(doc["schema"] as? String, "rsbench.compare/1")
        XCTAssertEqual(doc["regression"] as? Bool, true)
        XCTAssertEqual(doc["baselineRuns"] as? Int, 2)
        XCTAssertEqual((doc["rule"] as? [String: Any])?["kind"] as? String, "tolerance-band")
        let metrics = try XCTUnwrap(doc["metrics"] as? [[String: Any]])
        XCTAssertEqual(Set(metrics.compactMap { $0["metric"] as? String }), ["insert_rows_per_s", "insert_rows_per_s.trades"])
        XCTAssertTrue(metrics.allSatisfy { $0["verdict"] as? String == "regressed" }, "\(metrics)")
    }

    func testBadSetFlagsAreRefusedBeforeAnythingStarts() throws {
        let s = try sandbox()
        defer { try? FileManager.default.removeItem(atPath: s.dir) }
        let scenario = s.dir + "/baseline-test.yaml"
        let cases: [([String], String)] = [
            (["--repeat", "0"], "--repeat 0: expected a whole number of runs from 1 to 50"),
            (["--repeat", "51"], "--repeat 51: expected a whole number of runs from 1 to 50"),
            (["--baseline", "nightly"], "--baseline nightly: \(s.reports)/baselines/nightly does not exist"),
            (["--save-baseline", "../x"], "--save-baseline ../x: expected a plain name"),
            (["--repeat", "2", "--out", s.dir + "/o.json"], "--out \(s.dir)/o.json with --repeat"),
            (["--baseline", "t", "--tolerance", "e2e_lag"], "--tolerance e2e_lag: expected prefix=percent"),
        ]
        // A baseline folder must exist for the --tolerance case to get as far as parsing the compare flags.
        try FileManager.default.createDirectory(atPath: s.reports + "/baselines/t/run-1", withIntermediateDirectories: true)
        try Data(contentsOf: URL(fileURLWithPath: TestStack.projectRoot + "/fixtures/reports/sample-summary.json"))
            .write(to: URL(fileURLWithPath: s.reports + "/baselines/t/run-1/summary.json"))
        try #"{"schema":"rsbench.runs/1","scenario":"baseline-test","runs":[{"folder":"run-1","status":"pass","startedAt":"2025-01-01T12:00:00.000Z"}]}"#
            .write(toFile: s.reports + "/baselines/t/runs.json", atomically: true, encoding: .utf8)
        for (flags, message) in cases {
            let r = try s.rsbench(["run", scenario, "--reports", s.reports] + flags, timeout: .seconds(60))
            XCTAssertEqual(r.code, 64, "\(flags): a usage error\n\(r.printed)")
            XCTAssertTrue(r.printed.contains(message), "\(flags): expected «\(message)» in\n\(r.printed)")
            XCTAssertFalse(r.printed.contains("[stack]") || r.printed.contains("[run]"), "\(flags): nothing started\n\(r.printed)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.dir + "/home/stack.json"), "no stack was started")
        // The sample summary is of another scenario: named, before any load.
        let other = try s.rsbench(["run", scenario, "--reports", s.reports, "--baseline", "t"], timeout: .seconds(60))
        XCTAssertEqual(other.code, 64, other.printed)
        XCTAssertTrue(other.printed.contains("--baseline t: the baseline holds runs of baseline-smoke, not of scenario baseline-test"), other.printed)
    }
}
