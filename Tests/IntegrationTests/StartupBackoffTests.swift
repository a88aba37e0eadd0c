import Foundation
import JetStream
import LocalStack
import Pipeline
import RiskSignalCore
import XCTest

/// `risksignal run` started while ClickHouse is down: it keeps retrying with backoff (logging the URL), stops
/// cleanly on SIGTERM during the wait, gives up after RS_STARTUP_TIMEOUT, and once ClickHouse comes up it stores.
final class StartupBackoffTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "startup-backoff") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func launch(_ env: [String: String], durable: String) throws -> (Process, Pipe) {
        let binary = TestStack.projectRoot + "/.build/debug/risksignal"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["run", "--only", "trades", "--metrics-port", "0", "--database", "p_startup",
                       "--nats-url", Self.stack.stack.config.natsURL, "--clickhouse-url", Self.stack.stack.config.clickHouseURL, "--max-wait", "0.2"]
        var e = ProcessInfo.processInfo.environment
        e["RS_TRADES_DURABLE"] = durable
        e["RS_TRADES_FILTER"] = "market.trades.BOOT-USDT"
        for (k, v) in env { e[k] = v }
        p.environment = e
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        return (p, err)
    }

    func waitExit(_ p: Process, within: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + within
        while p.isRunning, clock.now < deadline { usleep(20_000) }
        return !p.isRunning
    }

    func testWaitsForClickHouseWithBackoffThenStores() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_startup")
        let local = Self.stack.stack
        local.stop(service: "clickhouse", grace: .seconds(5))
        defer { try? local.start(service: "clickhouse") }

        // 1. A small bound: it retries, then gives up naming what it waited for.
        let (short, shortErr) = try launch(["RS_STARTUP_TIMEOUT": "2"], durable: "startup-short")
        XCTAssertTrue(waitExit(short, within: .seconds(20)), "gives up after its bound")
        XCTAssertNotEqual(short.terminationStatus, 0)
        let shortLog = String(decoding: shortErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(shortLog.contains("ClickHouse at \(local.config.clickHouseURL) is not ready"), shortLog)
        XCTAssertTrue(shortLog.contains("was not ready after"), shortLog)

        // 2. SIGTERM during the wait: a clean exit, at once.
        let (term, _) = try launch(["RS_STARTUP_TIMEOUT": "0"], durable: "startup-term")
        try await Task.sleep(for: .seconds(2))
        XCTAssertTrue(term.isRunning, "still waiting, no bound")
        kill(term.processIdentifier, SIGTERM)
        XCTAssertTrue(waitExit(term, within: .seconds(10)), "SIGTERM ends the wait")
        XCTAssertEqual(term.terminationReason, .exit)
        XCTAssertEqual(term.terminationStatus, 0)

        // 3. ClickHouse comes up a few seconds late: the pipeline was waiting, and now stores.
        let (p, err) = try launch([:], durable: "startup-late")
        try await Task.sleep(for: .seconds(4))
        XCTAssertTrue(p.isRunning, "it waits instead of giving up")
        try local.start(service: "clickhouse")
        let t = Timestamp.now().nanosSinceEpoch / 1_000_000
        try await h.publish((0..<50).map { i in
            OutgoingMessage(subject: "market.trades.BOOT-USDT", text: #"{"symbol":"BOOT-USDT","event_time":\#(t),"trade_id":\#(i),"price":1,"quantity":1,"side":"BUY"}"#)
        })
        try await eventually(timeout: .seconds(30), "50 trades stored after the late start") {
            (try? await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'BOOT-USDT'")) == 50
        }
        kill(p.processIdentifier, SIGTERM)
        XCTAssertTrue(waitExit(p, within: .seconds(20)))
        XCTAssertEqual(p.terminationStatus, 0)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(log.contains("is not ready (attempt 1"), log)
        XCTAssertTrue(log.contains("is ready after"), log)
        await h.close()
    }
}
