import Foundation
import LocalStack
import Testing

/// `risksignal run`'s `/readyz` on the real local stack: 503 with the reason while ClickHouse is not reachable (at
/// start-up, and when it goes away later), 200 once NATS, ClickHouse and every consumer loop are up; `/healthz` stays
/// 200 throughout (liveness only).
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: RisksignalProcess.binary), "build the executables first (`swift build`)"))
final class ReadinessTests {
    let stack: TestStack

    init() throws { stack = try TestStack(name: "readiness") }

    deinit { stack.stop() }

    func get(_ p: RisksignalProcess, _ path: String) -> (status: Int, body: String)? {
        LoopbackProbe.httpGet(host: "127.0.0.1", port: p.metricsPort, path: path, timeout: .seconds(5))
    }

    @Test func readyOnlyWhenClickHouseAnswersAndEveryLoopRuns() async throws {
        let local = stack.stack
        // 1. Not yet reachable: ClickHouse is down when the pipeline starts.
        local.stop(service: "clickhouse", grace: .seconds(5))
        var restarted = false
        defer { if !restarted { try? local.start(service: "clickhouse") } }
        let p = try RisksignalProcess.start(stack, database: "p_ready", only: "trades,signals",
                                            environment: ["RS_TRADES_DURABLE": "ready-trades", "RS_SIGNALS_DURABLE": "ready-signals", "RS_STARTUP_TIMEOUT": "0"])
        defer { p.killIfRunning() }
        var last: (status: Int, body: String)?
        let waiting = await poll(timeout: .seconds(30)) {
            last = get(p, "/readyz")
            return last?.status == 503 && last?.body.contains("clickhouse:") == true
        }
        #expect(waiting, "503 naming ClickHouse while it is down at start-up; last answer: \(String(describing: last))")
        #expect(last?.body.contains("consumers: starting") == true, "the loops have not started either: \(String(describing: last))")
        #expect(last?.body.contains(local.config.clickHouseURL) == true, "the reason names the endpoint: \(String(describing: last))")
        #expect(get(p, "/healthz")?.status == 200, "liveness does not depend on the dependencies")

        // 2. Everything up: 200.
        try local.start(service: "clickhouse")
        restarted = true
        let ready = await poll(timeout: .seconds(60)) {
            last = get(p, "/readyz")
            return last?.status == 200
        }
        #expect(ready, "200 once ClickHouse answers and the loops run; last answer: \(String(describing: last))")
        #expect(last?.body.hasPrefix("ready") == true && last?.body.contains("2 consumer loops running") == true, "\(String(describing: last))")

        // 3. ClickHouse goes away while running: 503 with the reason, then 200 again when it is back.
        local.stop(service: "clickhouse", grace: .seconds(5))
        restarted = false
        let lost = await poll(timeout: .seconds(30)) {
            last = get(p, "/readyz")
            return last?.status == 503 && last?.body.contains("clickhouse:") == true
        }
        #expect(lost, "503 naming ClickHouse once it is stopped; last answer: \(String(describing: last))")
        #expect(last?.body.contains("nats:") == false, "NATS is still connected: \(String(describing: last))")
        #expect(get(p, "/healthz")?.status == 200)
        try local.start(service: "clickhouse")
        restarted = true
        let back = await poll(timeout: .seconds(60)) { get(p, "/readyz")?.status == 200 }
        #expect(back, "ready again once ClickHouse is back")

        let (reason, status) = p.terminate()
        #expect(reason == .exit && status == 0)
    }
}
