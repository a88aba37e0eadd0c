import Foundation
import LocalStack
import XCTest

/// The real `rsbench run` on a short scenario, with the local stack it starts itself (its own home and free ports):
/// summary.json carries CPU-µs per event for each of the four processes, every one above zero, and the stack's figure
/// is their sum; the console prints the table and `cpu_us_per_event` gates are evaluated.
final class CostPerEventRunTests: XCTestCase {
    func testRunReportsCPUPerEventForEveryProcessAndTheStack() throws {
        let binary = TestStack.projectRoot + "/.build/debug/rsbench"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        let dir = NSTemporaryDirectory() + "rsbench-cost-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let scenario = dir + "/cost.yaml"
        // Debug builds on a shared 2-core box: generous validity limits, so the run is judged by its gates only.
        try """
            name: cost
            duration: 6s
            warmup: 2s
            drain_timeout: 30s
            limits: { schedule_lag_p99: 10s, rsbench_cpu: 100% }
            workloads:
              - { name: trades, generator: trades, rate: 300, params: { symbols: 3 } }
              - { name: signals, generator: signals, rate: 50 }
            gates:
              - lost == 0
              - cpu_us_per_event.rsbench > 0
              - cpu_us_per_event.stack > 0
            """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let env = IsolatedStack.environment(home: dir + "/home")
        let summaryFile = dir + "/summary.json", printedFile = dir + "/run.log"
        let run = try Spawned.start(binary, ["run", scenario, "--out", summaryFile, "--reports", dir + "/reports"], env: env,
                                    cwd: TestStack.projectRoot, output: printedFile)
        let code = Spawned.wait(run, timeout: .seconds(300))
        // A run killed by the timeout leaves the stack it started: stop exactly that one (it is recorded in its home).
        defer { IsolatedStack.down(binary, env: env) }
        let printed = (try? String(contentsOfFile: printedFile, encoding: .utf8)) ?? ""
        XCTAssertEqual(code, 0, printed)
        XCTAssertTrue(printed.contains("CPU-µs/event"), "the console prints the cost table:\n\(printed)")
        // Issue 17: a clean run logs nothing at error level (its webhook receiver used to log two lines at shutdown).
        let errorLines = printed.split(separator: "\n").filter { $0.range(of: #"^\d{4}-\d{2}-\d{2}T\S+ error "#, options: .regularExpression) != nil }
        XCTAssertEqual(errorLines, [], "a normal run logs nothing at error level")

        let data = try Data(contentsOf: URL(fileURLWithPath: summaryFile))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        // Issue 17: the fingerprint names the versions of the systems under test (the local stack's, here).
        let fingerprint = try XCTUnwrap(json["environment"] as? [String: Any])
        for key in ["natsServerVersion", "clickhouseVersion", "libnatsVersion"] {
            XCTAssertFalse((fingerprint[key] as? String ?? "").isEmpty, "environment.\(key): \(fingerprint)")
        }
        let resources = try XCTUnwrap(json["resources"] as? [[String: Any]])
        var perProcess: [String: Double] = [:]
        for p in resources {
            let name = try XCTUnwrap(p["name"] as? String)
            perProcess[name] = try XCTUnwrap(p["cpuUsPerEvent"] as? Double, "\(name) has no cpuUsPerEvent")
            XCTAssertNotNil(p["cpuSecondsWholeRun"] as? Double, name)
        }
        XCTAssertEqual(Set(perProcess.keys), ["rsbench", "risksignal", "nats-server", "clickhouse"])
        for (name, us) in perProcess { XCTAssertGreaterThan(us, 0, name) }
        let cost = try XCTUnwrap(json["cost"] as? [String: Any])
        let stack = try XCTUnwrap(cost["stack"] as? [String: Any])
        let stackUs = try XCTUnwrap(stack["cpuUsPerEvent"] as? Double)
        XCTAssertEqual(stackUs, perProcess.values.reduce(0, +), accuracy: stackUs * 1e-9, "the stack is the sum of its processes")
        let events = try XCTUnwrap(cost["events"] as? Int)
        // 350 events/s over a 6 s window, give or take the Poisson-free schedule's edges.
        XCTAssertEqual(Double(events), 350 * 6, accuracy: 10)
        let gates = try XCTUnwrap(json["gates"] as? [[String: Any]])
        XCTAssertEqual(gates.filter { ($0["metric"] as? String)?.hasPrefix("cpu_us_per_event") == true }.compactMap { $0["verdict"] as? String }, ["pass", "pass"])
    }
}
