import Foundation
import LocalStack
import XCTest

/// `rsbench run --dashboard` in a real browser: headless Chromium from Debian loads the live page during a short run
/// (with the local stack the run starts itself), sees frames arrive second after second with data in the charts and
/// gate states, and after the run follows the page's link to the report. The screenshots are kept under
/// reports/test-artifacts/.
final class LiveDashboardBrowserTests: XCTestCase {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func testTheLivePageUpdatesEverySecondInABrowserAndLinksTheReport() throws {
        guard let chromium = Self.chromium else { throw XCTSkip("headless Chromium is not installed (scripts/setup installs Debian's chromium)") }
        let box = try RsbenchSandbox("live")
        defer { box.remove() }
        let dir = box.dir
        let artifacts = TestStack.projectRoot + "/reports/test-artifacts"
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let scenario = try box.scenario("live", """
            name: live
            duration: 30s
            warmup: 2s
            drain_timeout: 30s
            limits: { schedule_lag_p99: 10s, rsbench_cpu: 100% }
            workloads:
              - { name: trades, generator: trades, rate: 200, params: { symbols: 3 } }
              - { name: signals, generator: signals, rate: 50 }
            gates:
              - lost == 0
              - publish_latency.p99 < 10s
            """)
        let port = LoopbackProbe.freePort()
        let printedFile = dir + "/run.log"
        let run = try box.start(["run", scenario, "--reports", dir + "/reports", "--dashboard", "--dashboard-port", String(port),
                                 "--dashboard-linger", "20s"], output: printedFile)
        defer {
            // Ctrl-C, so rsbench stops the pipeline it started (a SIGKILL would orphan it); SIGKILL only if that hangs.
            if !Spawned.exited(run) { kill(run, SIGINT); _ = Spawned.wait(run, timeout: .seconds(60)) }
            box.stackDown()
        }
        func printed() -> String { (try? String(contentsOfFile: printedFile, encoding: .utf8)) ?? "" }
        func frame() -> [String: Any]? {
            guard let r = LoopbackProbe.httpGet(host: "127.0.0.1", port: port, path: "/frame", timeout: .seconds(2)), r.status == 200 else { return nil }
            return try? JSONSerialization.jsonObject(with: Data(r.body.utf8)) as? [String: Any]
        }
        func waitFor(_ what: String, timeout: Duration, _ condition: () -> Bool) throws {
            let clock = ContinuousClock(), deadline = clock.now + timeout
            while clock.now < deadline {
                if condition() { return }
                if Spawned.exited(run) { throw Stop("rsbench exited before \(what):\n\(printed())") }
                usleep(200_000)
            }
            throw Stop("timed out waiting for \(what):\n\(printed())")
        }
        /// The page as Chromium rendered it after `frames` live frames, and a screenshot of it.
        func browse(_ name: String, frames: Int) throws -> String {
            // The page stops following after `frames` frames, so the browser's page settles and is captured then
            // (virtual time does not run while the event stream is open).
            let url = "http://127.0.0.1:\(port)/?frames=\(frames)"
            let ms = 60_000
            let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/chromium-\(name)",
                          "--window-size=1150,2400", "--virtual-time-budget=\(ms)"]
            let shot = try Spawned.start(chromium, common + ["--screenshot=\(artifacts)/live-dashboard-\(name).png", url], env: box.env, cwd: dir)
            XCTAssertEqual(Spawned.wait(shot, timeout: .seconds(90)), 0, "chromium --screenshot")
            let domFile = dir + "/dom-\(name).html"
            let dump = try Spawned.start(chromium, common.map { $0.replacingOccurrences(of: "chromium-\(name)", with: "chromium-\(name)-dom") } + ["--dump-dom", url],
                                         env: box.env, cwd: dir, output: domFile)
            XCTAssertEqual(Spawned.wait(dump, timeout: .seconds(90)), 0, "chromium --dump-dom")
            return (try? String(contentsOfFile: domFile, encoding: .utf8)) ?? ""
        }
        func attribute(_ name: String, in dom: String) -> Int? {
            guard let r = dom.range(of: "\(name)=\"") else { return nil }
            return Int(dom[r.upperBound...].prefix { $0 != "\"" })
        }

        // 30 s of load: room for a slow Chromium start to still see four live frames before the run ends.
        try waitFor("the live page's frames to start", timeout: .seconds(180)) { (frame()?["second"] as? Int ?? 0) >= 3 }
        let live = try browse("running", frames: 4)
        let seconds = try XCTUnwrap(attribute("data-seconds", in: live), "the page counts the seconds it saw:\n\(live.prefix(2000))")
        XCTAssertGreaterThanOrEqual(seconds, 3, "live updates arrived while the page was open (a frame a second)")
        XCTAssertGreaterThanOrEqual(attribute("data-second", in: live) ?? 0, 4)
        for id in ["rates", "e2e", "pending", "cpu", "rss"] {
            XCTAssertTrue(live.contains("id=\"chart-\(id)\""), "chart \(id) on the page")
        }
        // The rate chart carries data: a polyline with a point per second so far, not the "no data" placeholder.
        let rates = try XCTUnwrap(live.range(of: "id=\"chart-rates\"").map { String(live[$0.upperBound...].prefix(20_000)) })
        let points = try XCTUnwrap(rates.range(of: "points=\"").map { rates[$0.upperBound...].prefix { $0 != "\"" }.split(separator: " ").count })
        XCTAssertGreaterThanOrEqual(points, 3, "points on the offered/achieved chart")
        XCTAssertTrue(live.contains("publish_latency.p99 &lt; 10s") || live.contains("publish_latency.p99 < 10s"), "the gates are listed")
        XCTAssertTrue(live.contains("at the end"), "a final-only gate (lost == 0) waits for the end")

        try waitFor("the run to end and the page to link the report", timeout: .seconds(180)) { (frame()?["reportLink"] as? String) != nil }
        let report = try XCTUnwrap(LoopbackProbe.httpGet(host: "127.0.0.1", port: port, path: "/report", timeout: .seconds(5)))
        XCTAssertEqual(report.status, 200)
        XCTAssertTrue(report.body.hasPrefix("<!DOCTYPE html>") && report.body.contains("<code>live</code>"), String(report.body.prefix(300)))
        let ended = try browse("ended", frames: 1)
        XCTAssertTrue(ended.contains("id=\"report-link\""), "the ended page links the report")
        XCTAssertTrue(ended.contains("class=\"verdict pass\""), "the page shows the verdict")
        XCTAssertFalse(printed().contains(" error "), "a normal run logs nothing at error level:\n\(printed())")
        XCTAssertEqual(Spawned.wait(run, timeout: .seconds(90)), 0, "the run passes and exits after the linger:\n\(printed())")
    }
}

/// Ends a test with its reason (XCTest reports a thrown error as a failure).
private struct Stop: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
