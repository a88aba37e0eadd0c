import Alerting
import ClickHouse
import Foundation
import JetStream
import Pipeline
import RiskSignalCore
import StandIns
import Synchronization
import XCTest

/// Alerts end to end on the real stack: detection → alerts.<rule> → signed webhook → alerts_history.
final class AlertingFlowTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "alerting") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testLiquidityDropRaisesOneSignedAlertToEachEndpointThroughA10SecondOutageOfOne() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "a_alerts")
        let receiver = WebhookReceiver(secret: "s3cret")
        let (server, port) = try await startReceiver(receiver)
        defer { server.cancel() }
        // A second customer's receiver that works throughout: the first one's outage must not hold it up.
        let healthy = WebhookReceiver(secret: "s3cret")
        let (healthyServer, healthyPort) = try await startReceiver(healthy)
        defer { healthyServer.cancel() }
        receiver.refuse(for: .seconds(10))

        let t0 = Timestamp.now().nanosSinceEpoch / 1_000_000
        var messages = (0..<5).map { bookSnapshot("ALR-USDT", at: t0 + Int64($0) * 1000, depthPerLevel: 10, intended: (t0 + Int64($0) * 1000) * 1_000_000) }
        let triggerIntended = (t0 + 5000) * 1_000_000
        messages.append(bookSnapshot("ALR-USDT", at: t0 + 5000, depthPerLevel: 4, intended: triggerIntended))   // 60 % of the depth gone
        messages.append(bookSnapshot("ALR-USDT", at: t0 + 5500, depthPerLevel: 3, intended: (t0 + 5500) * 1_000_000))  // still thin: cooldown
        messages.append(bookSnapshot("NEAR-USDT", at: t0, depthPerLevel: 10, intended: t0 * 1_000_000))
        for i in 1...4 { messages.append(bookSnapshot("NEAR-USDT", at: t0 + Int64(i) * 1000, depthPerLevel: 10, intended: 0)) }
        messages.append(bookSnapshot("NEAR-USDT", at: t0 + 5000, depthPerLevel: 5.1, intended: 0))                     // 49 % drop: a near-miss
        try await h.publish(messages)

        var options = h.options([ConsumerCatalog.market, h.definition(ConsumerCatalog.webhooks, filter: "alerts.>", batchSize: 10)])
        options.stopWhenIdle = nil
        options.webhooks.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:\(port)/alerts"),
                                      WebhookEndpoint(url: "http://127.0.0.1:\(healthyPort)/alerts")]
        options.webhooks.secret = "s3cret"
        options.webhooks.initialBackoff = .milliseconds(500)
        options.webhooks.maxBackoff = .seconds(2)
        options.webhooks.maxAttempts = 20
        let runner = PipelineRunner(options: options)
        let pipeline = Task { try await runner.run() }
        // The healthy endpoint has it while the other still answers 503 (its own durable, its own breaker).
        try await eventually(timeout: .seconds(30), "the healthy endpoint to get the alert") { !healthy.deliveries.isEmpty }
        XCTAssertTrue(receiver.deliveries.isEmpty && receiver.refusing, "delivered to the healthy endpoint during the other's outage")
        try await eventually(timeout: .seconds(45), "the alert to be delivered once the receiver is back") { !receiver.deliveries.isEmpty }
        try await Task.sleep(for: .seconds(2))  // time for a wrong second alert to show up
        pipeline.cancel()
        _ = try? await pipeline.value

        let deliveries = receiver.deliveries
        XCTAssertEqual(deliveries.count, 1, "exactly one alert: the repeat is suppressed by the cooldown, the near-miss stays silent")
        XCTAssertEqual(healthy.deliveries.count, 1)
        XCTAssertEqual(healthy.deliveries.first?.alertID, deliveries.first?.alertID)
        // The breaker held the retries back: 10 s of 503s cost a handful of requests, not one every backoff step.
        XCTAssertLessThanOrEqual(receiver.refusedCount, 9, "requests refused: \(receiver.refusedCount)")
        XCTAssertTrue(deliveries[0].signatureValid, "the HMAC-SHA256 signature verifies")
        XCTAssertGreaterThan(receiver.refusedCount, 0, "the receiver was down first")
        XCTAssertEqual(deliveries[0].intendedNanos, triggerIntended, "the alert carries the triggering event's intended send time")
        XCTAssertTrue(deliveries[0].body.contains("\"rule\":\"liquidity_drop\""), deliveries[0].body)
        XCTAssertTrue(deliveries[0].body.contains("\"key\":\"ALR-USDT\""), deliveries[0].body)

        let history = try await h.clickHouse.rows("SELECT alert_id, status, attempts, latency_ms, isNotNull(delivered_at) AS d FROM alerts_history FINAL ORDER BY attempts")
        let ids = Set(history.compactMap { if case .string(let s)? = $0["alert_id"] { s } else { nil } })
        XCTAssertEqual(ids.count, 1, "one alert in alerts_history")
        let delivered = history.filter { $0["status"] == .string("delivered") }
        XCTAssertEqual(delivered.count, 2, "one delivered row per endpoint")
        let attempts = delivered.compactMap { if case .int(let a)? = $0["attempts"] { a } else { nil } }.sorted()
        XCTAssertEqual(attempts.first, 1, "the healthy endpoint on the first attempt")
        XCTAssertGreaterThan(attempts.last ?? 0, 1, "the refusing one after retries")
        XCTAssertTrue(history.contains { $0["status"] == .string("raised") })
        XCTAssertTrue(history.contains { if case .string(let s)? = $0["status"] { s.hasPrefix("attempt_failed") } else { false } })

        // The stages: the alert carries when its update reached the normaliser and when it was detected; the delivered
        // row adds when JetStream stored it, when the webhook request went out and when it was answered, in that order.
        XCTAssertFalse(deliveries[0].body.contains("\"received_at\":null") || deliveries[0].body.contains("\"detected_at\":null"), deliveries[0].body)
        let cols = SchemaMigrations.alertStageColumns
        let stageRows = try await h.clickHouse.rows("SELECT \(cols.map { "toString(toUnixTimestamp64Micro(\($0))) AS \($0)" }.joined(separator: ", ")) FROM alerts_history FINAL WHERE status = 'delivered'")
        XCTAssertEqual(stageRows.count, 2)
        for row in stageRows {
            let instants = cols.compactMap { c -> Int64? in if case .string(let v)? = row[c] { Int64(v) } else { nil } }
            XCTAssertEqual(instants.count, cols.count, "every stage instant is stored: \(row)")
            XCTAssertEqual(instants, instants.sorted(), "received ≤ detected ≤ stored ≤ sent ≤ answered")
        }
        await h.close()
    }

    /// The alert path never waits for ClickHouse: with the server down, a second alert is detected and delivered
    /// while the first one's `alerts_history` row (and every book row) still waits for its insert; nothing is acked
    /// until the rows are stored, and once ClickHouse is back everything is.
    func testAlertsAreDeliveredWhileClickHouseIsDown() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "a_ch_down")
        // The suite's tests share one NATS server: the ALERTS stream starts empty here, and is left empty at the end.
        try await h.js.deleteStream(StreamCatalog.alerts.name)
        try await h.js.ensureStream(StreamCatalog.alerts)
        let receiver = WebhookReceiver(secret: "s3cret")
        let (server, port) = try await startReceiver(receiver)
        defer { server.cancel() }
        let webhooks = h.definition(ConsumerCatalog.webhooks, filter: "alerts.>", batchSize: 10, maxWait: .milliseconds(5))
        var options = h.options([ConsumerCatalog.market, webhooks])
        options.stopWhenIdle = nil
        options.webhooks.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:\(port)/alerts")]
        options.webhooks.secret = "s3cret"
        let pipeline = Task { [options] in try await PipelineRunner(options: options).run() }
        defer { pipeline.cancel() }

        let t0 = Timestamp.now().nanosSinceEpoch / 1_000_000
        let symbols = ["CHA-USDT", "CHB-USDT"]
        try await h.publish(symbols.flatMap { s in (0..<5).map { bookSnapshot(s, at: t0 + Int64($0) * 1000, depthPerLevel: 10, intended: 0) } })
        try await eventually(timeout: .seconds(30), "the books to be stored") {
            try await h.count("SELECT count() FROM book_topn WHERE symbol IN ('CHA-USDT', 'CHB-USDT')") >= 10
        }

        Self.stack.stack.stop(service: "clickhouse")
        for (i, s) in symbols.enumerated() {
            try await h.publish([bookSnapshot(s, at: t0 + 5000, depthPerLevel: 4, intended: 0)])
            try await eventually(timeout: .seconds(10), "alert \(i + 1) to reach the webhook with ClickHouse down") {
                receiver.deliveries.count == i + 1
            }
        }
        XCTAssertEqual(receiver.deliveries.map { $0.body.contains("\"key\":\"CHB-USDT\"") }, [false, true])
        let waiting = try await h.js.consumerState(stream: StreamCatalog.alerts.name, durable: webhooks.durable)
        XCTAssertEqual(waiting.numAckPending, 2, "delivered, but not acked before their alerts_history rows are stored")

        try Self.stack.stack.start(service: "clickhouse")
        try await eventually(timeout: .seconds(30), "the alerts' rows and acks once ClickHouse is back") {
            let delivered = try await h.count("SELECT count() FROM alerts_history FINAL WHERE status = 'delivered'")
            let state = try await h.js.consumerState(stream: StreamCatalog.alerts.name, durable: webhooks.durable)
            return delivered == 2 && state.numAckPending == 0
        }
        XCTAssertEqual(receiver.deliveries.count, 2, "each alert delivered once")
        pipeline.cancel()
        _ = try? await pipeline.value
        try await h.js.deleteStream(StreamCatalog.alerts.name)
        try await h.js.ensureStream(StreamCatalog.alerts)
        await h.close()
    }

    func testRollupEvaluatorRaisesNonCriticalAlertsFromTheMaterialisedViews() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "a_rollups")
        // 30 quiet minutes, then one busy minute, inserted as trades so the materialised view builds the rollup.
        var rows: [String] = []
        let now = Timestamp.now().nanosSinceEpoch / 1_000_000_000
        let lastMinute = (now / 60 - 1) * 60
        for m in 2...31 {
            rows.append(#"{"event_time":"\#(lastMinute - Int64(m - 1) * 60 + 5).000","symbol":"ROL-USDT","trade_id":\#(m),"price":10,"quantity":1,"side":"BUY","taker":true,"order_id":1,"metadata":"","event_id":"q\#(m)"}"#)
        }
        rows.append(#"{"event_time":"\#(lastMinute + 5).000","symbol":"ROL-USDT","trade_id":100,"price":10,"quantity":20,"side":"BUY","taker":true,"order_id":1,"metadata":"","event_id":"big"}"#)
        rows.append(#"{"event_time":"\#(lastMinute + 6).000","symbol":"CALM-USDT","trade_id":1,"price":10,"quantity":1,"side":"BUY","taker":true,"order_id":1,"metadata":"","event_id":"calm"}"#)
        var batch = InsertBatch()
        for r in rows { batch.append(row: r) }
        try await h.clickHouse.insert(into: "trades", batch: batch)
        let evaluator = RollupAlertEvaluator(clickHouse: h.clickHouse, context: h.js)
        let alerts = try await evaluator.evaluate()
        XCTAssertEqual(alerts.map(\.rule), ["volume_spike"])
        XCTAssertEqual(alerts.first?.key, "ROL-USDT")
        XCTAssertEqual(alerts.first?.observed ?? 0, 20, accuracy: 1e-9, "20 units against a baseline of 1 a minute")
        XCTAssertEqual(alerts.first?.severity, "info")
        await h.close()
    }
}
