import ClickHouse
import Foundation
import JetStream
import LocalStack
import Pipeline
import RiskSignalCore
import XCTest

/// Faults mid-stream, each ending with exact counts: nothing lost, no duplicates in the deduplicated view.
final class FaultTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "faults") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func trades(_ n: Int, symbol: String, from: Int = 0) -> [OutgoingMessage] {
        let t = Timestamp.now().nanosSinceEpoch / 1_000_000
        return (from..<(from + n)).map { i in
            OutgoingMessage(subject: "market.trades.\(symbol)",
                            text: #"{"symbol":"\#(symbol)","exchange":"sim","event_time":\#(t + Int64(i % 1000)),"trade_id":\#(i),"price":100.5,"quantity":1,"side":"BUY"}"#)
        }
    }

    func testClickHouseDownForTenSecondsMidStream() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "f_clickhouse")
        let n = 6_000
        let def = h.definition(ConsumerCatalog.trades, filter: "market.trades.FCH-USDT", batchSize: 500, maxWait: .milliseconds(100))
        let consumer = try await h.js.pullConsumer(def.consumerSpec)
        let ingestor = StreamIngestor(name: "trades", consumer: consumer, clickHouse: h.clickHouse, handler: EncoderHandler(TradeRowEncoder()),
                                      policy: def.policy, backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1)))
        let run = Task { try await ingestor.run(stopWhenIdle: 20) }
        try await h.publish(trades(n / 2, symbol: "FCH-USDT"))
        try await eventually("the first half to be stored") { try await h.count("SELECT count() FROM trades") >= Int64(n / 4) }

        Self.stack.stack.stop(service: "clickhouse")
        try await h.publish(trades(n / 2, symbol: "FCH-USDT", from: n / 2))   // published while ClickHouse is down
        try await Task.sleep(for: .seconds(10))
        let during = try await consumer.state()
        XCTAssertGreaterThan(during.numPending + UInt64(during.numAckPending), 0, "messages wait in JetStream while ClickHouse is down")
        try Self.stack.stack.start(service: "clickhouse")

        try await run.value
        XCTAssertGreaterThan(ingestor.stats.snapshot.insertRetries, 0)
        let stored = try await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'FCH-USDT'")
        XCTAssertEqual(stored, Int64(n), "nothing lost, no duplicates in the deduplicated view")
        let distinct = try await h.count("SELECT uniqExact(trade_id) FROM trades WHERE symbol = 'FCH-USDT'")
        XCTAssertEqual(distinct, Int64(n))
        let after = try await consumer.state()
        XCTAssertEqual(after.numPending, 0)
        XCTAssertEqual(after.numAckPending, 0)
        await h.close()
    }

    func testConsumerProcessKilledMidBatchAndRestarted() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "f_kill")
        let n = 40_000
        try await h.publish(trades(n, symbol: "FKL-USDT"))
        let binary = TestStack.projectRoot + "/.build/debug/risksignal"
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), "build the executables first (`swift build`)")
        let durable = "kill-test-durable"
        func consumerProcess() throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["consume", "trades", "--batch-size", "500", "--max-wait", "0.1", "--exit-when-idle", "40", "--ack-wait", "2",
                           "--nats-url", Self.stack.stack.config.natsURL, "--clickhouse-url", Self.stack.stack.config.clickHouseURL,
                           "--database", "f_kill", "--metrics-port", "0", "--log-level", "error"]
            var env = ProcessInfo.processInfo.environment
            env["RS_TRADES_DURABLE"] = durable
            env["RS_TRADES_FILTER"] = "market.trades.FKL-USDT"
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            return p
        }
        let first = try consumerProcess()
        try await eventually(timeout: .seconds(30), "some rows to land before the kill") { try await h.count("SELECT count() FROM trades") >= 2_000 }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationReason, .uncaughtSignal)
        let atKill = try await h.count("SELECT count() FROM trades")
        XCTAssertLessThan(atKill, Int64(n), "killed mid-stream")

        let second = try consumerProcess()
        second.waitUntilExit()
        XCTAssertEqual(second.terminationStatus, 0)
        let stored = try await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'FKL-USDT'")
        XCTAssertEqual(stored, Int64(n), "nothing lost, no duplicates in the deduplicated view")
        let state = try await h.js.consumerState(stream: "MARKET_TRADES", durable: durable)
        XCTAssertEqual(state.numPending, 0)
        XCTAssertEqual(state.numAckPending, 0)
        await h.close()
    }

    func testNATSServerRestartedMidStream() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "f_nats")
        let n = 20_000
        try await h.publish(trades(n, symbol: "FNT-USDT"))
        await h.close()
        // The consumer gets its own connection, which must ride through the restart.
        let nats = try await Self.stack.nats("fault-consumer")
        let js = try nats.jetStream()
        let ch = Self.stack.clickHouse(database: "f_nats")
        var def = h.definition(ConsumerCatalog.trades, filter: "market.trades.FNT-USDT", batchSize: 500, maxWait: .milliseconds(100))
        // Acks sent while the server is down are lost; a short ack wait brings those messages back within the test.
        def.ackWait = .seconds(2)
        let consumer = try await js.pullConsumer(def.consumerSpec)
        let ingestor = StreamIngestor(name: "trades", consumer: consumer, clickHouse: ch, handler: EncoderHandler(TradeRowEncoder()),
                                      policy: def.policy, backoff: Backoff(initial: .milliseconds(100), maximum: .seconds(1)))
        let run = Task { try await ingestor.run(stopWhenIdle: 30) }
        try await eventually("some rows before the restart") { try await ch.scalarInt("SELECT count() FROM trades") >= 1_000 }
        Self.stack.stack.stop(service: "nats")
        try await Task.sleep(for: .seconds(2))
        try Self.stack.stack.start(service: "nats")
        try await run.value
        let stored = try await ch.scalarInt("SELECT count() FROM trades FINAL WHERE symbol = 'FNT-USDT'")
        XCTAssertEqual(stored, Int64(n), "JetStream file storage kept every message across the restart")
        let state = try await consumer.state()
        XCTAssertEqual(state.numPending, 0)
        XCTAssertEqual(state.numAckPending, 0)
        nats.close()
        await ch.shutdown()
    }
}
