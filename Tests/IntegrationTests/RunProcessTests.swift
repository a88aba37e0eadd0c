import Foundation
import JetStream
import LocalStack
import Pipeline
import RiskSignalCore
import XCTest

/// `risksignal run` as a process: Prometheus /metrics and a graceful SIGTERM.
final class RunProcessTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "run-process") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testMetricsEndpointAndGracefulShutdown() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_run")
        let binary = TestStack.projectRoot + "/.build/debug/risksignal"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        let port = LoopbackProbe.freePort()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--only", "trades,signals", "--metrics-port", String(port), "--database", "p_run",
                       "--nats-url", Self.stack.stack.config.natsURL, "--clickhouse-url", Self.stack.stack.config.clickHouseURL,
                       "--max-wait", "0.2", "--log-level", "error"]
        var env = ProcessInfo.processInfo.environment
        env["RS_TRADES_DURABLE"] = "run-process-trades"
        env["RS_TRADES_FILTER"] = "market.trades.RUN-USDT"
        p.environment = env
        let out = Pipe()
        p.standardOutput = out
        try p.run()

        let t = Timestamp.now().nanosSinceEpoch / 1_000_000
        try await h.publish((0..<700).map { i in
            OutgoingMessage(subject: "market.trades.RUN-USDT", text: #"{"symbol":"RUN-USDT","event_time":\#(t),"trade_id":\#(i),"price":1,"quantity":1,"side":"BUY"}"#)
        } + [OutgoingMessage(subject: "market.trades.RUN-USDT", text: "not json")])

        var metrics = ""
        try await eventually(timeout: .seconds(20), "the metrics endpoint to report 700 trades rows") {
            metrics = LoopbackProbe.httpGet(host: "127.0.0.1", port: port, path: "/metrics")?.body ?? ""
            return metrics.contains(#"risksignal_rows_inserted_total{consumer="trades",table="trades"} 700"#)
        }
        XCTAssertTrue(metrics.contains(#"risksignal_messages_received_total{consumer="trades"} 701"#), metrics)
        XCTAssertTrue(metrics.contains(#"risksignal_dlq_total{consumer="trades"} 1"#), metrics)
        XCTAssertTrue(metrics.contains("risksignal_insert_latency_seconds_bucket"), "insert latency histogram")
        XCTAssertTrue(metrics.contains("risksignal_batch_size_bucket"), "batch size histogram")
        XCTAssertTrue(metrics.contains(#"risksignal_consumer_pending{consumer="trades"}"#), "consumer pending gauge")

        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 0, "SIGTERM finishes the batch in hand and exits 0")
        let summary = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(summary.contains("trades: received 701, inserted 700 rows"), summary)
        let rows = try await h.count("SELECT count() FROM trades FINAL")
        XCTAssertEqual(rows, 700)
        await h.close()
    }
}
