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

    func book(_ symbol: String, at ms: Int64, depthPerLevel q: Double, intended: Int64) -> OutgoingMessage {
        let bids = (1...10).map { "[\(100 - Double($0) * 0.01),\(q)]" }.joined(separator: ",")
        let asks = (1...10).map { "[\(100 + Double($0) * 0.01),\(q)]" }.joined(separator: ",")
        return OutgoingMessage(subject: "market.l2.\(symbol)",
                               text: #"{"symbol":"\#(symbol)","exchange":"sim","window_start_ms":\#(ms - 100),"window_end_ms":\#(ms),"update_type":"delta","top_bids":[\#(bids)],"top_asks":[\#(asks)]}"#,
                               headers: [(MessageHeader.intendedSendNanos, String(intended))])
    }

    func testLiquidityDropRaisesOneSignedAlertDeliveredAfterTheReceiverComesBack() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "a_alerts")
        let receiver = WebhookReceiver(secret: "s3cret")
        let port = Mutex<Int?>(nil)
        let server = Task { try await receiver.run(onListening: { p in port.withLock { $0 = p } }) }
        defer { server.cancel() }
        try await eventually("the receiver to listen") { port.withLock { $0 } != nil }
        receiver.refuse(for: .seconds(5))

        let t0 = Timestamp.now().nanosSinceEpoch / 1_000_000
        var messages = (0..<5).map { book("ALR-USDT", at: t0 + Int64($0) * 1000, depthPerLevel: 10, intended: (t0 + Int64($0) * 1000) * 1_000_000) }
        let triggerIntended = (t0 + 5000) * 1_000_000
        messages.append(book("ALR-USDT", at: t0 + 5000, depthPerLevel: 4, intended: triggerIntended))   // 60 % of the depth gone
        messages.append(book("ALR-USDT", at: t0 + 5500, depthPerLevel: 3, intended: (t0 + 5500) * 1_000_000))  // still thin: cooldown
        messages.append(book("NEAR-USDT", at: t0, depthPerLevel: 10, intended: t0 * 1_000_000))
        for i in 1...4 { messages.append(book("NEAR-USDT", at: t0 + Int64(i) * 1000, depthPerLevel: 10, intended: 0)) }
        messages.append(book("NEAR-USDT", at: t0 + 5000, depthPerLevel: 5.1, intended: 0))                     // 49 % drop: a near-miss
        try await h.publish(messages)

        var options = h.options([ConsumerCatalog.alerts, h.definition(ConsumerCatalog.webhooks, filter: "alerts.>", batchSize: 10)])
        options.stopWhenIdle = nil
        options.webhooks.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:\(port.withLock { $0 }!)/alerts")]
        options.webhooks.secret = "s3cret"
        options.webhooks.initialBackoff = .milliseconds(500)
        options.webhooks.maxBackoff = .seconds(2)
        options.webhooks.maxAttempts = 20
        let runner = PipelineRunner(options: options)
        let pipeline = Task { try await runner.run() }
        try await eventually(timeout: .seconds(30), "the alert to be delivered") { !receiver.deliveries.isEmpty }
        try await Task.sleep(for: .seconds(2))  // time for a wrong second alert to show up
        pipeline.cancel()
        _ = try? await pipeline.value

        let deliveries = receiver.deliveries
        XCTAssertEqual(deliveries.count, 1, "exactly one alert: the repeat is suppressed by the cooldown, the near-miss stays silent")
        XCTAssertTrue(deliveries[0].signatureValid, "the HMAC-SHA256 signature verifies")
        XCTAssertGreaterThan(receiver.refusedCount, 0, "the receiver was down first")
        XCTAssertEqual(deliveries[0].intendedNanos, triggerIntended, "the alert carries the triggering event's intended send time")
        XCTAssertTrue(deliveries[0].body.contains("\"rule\":\"liquidity_drop\""), deliveries[0].body)
        XCTAssertTrue(deliveries[0].body.contains("\"key\":\"ALR-USDT\""), deliveries[0].body)

        let history = try await h.clickHouse.rows("SELECT alert_id, status, attempts, latency_ms, isNotNull(delivered_at) AS d FROM alerts_history FINAL ORDER BY attempts")
        let ids = Set(history.compactMap { if case .string(let s)? = $0["alert_id"] { s } else { nil } })
        XCTAssertEqual(ids.count, 1, "one alert in alerts_history")
        let delivered = history.filter { $0["status"] == .string("delivered") }
        XCTAssertEqual(delivered.count, 1)
        if case .int(let attempts)? = delivered.first?["attempts"] { XCTAssertGreaterThan(attempts, 1, "delivered after retries") } else { XCTFail("attempts") }
        XCTAssertTrue(history.contains { $0["status"] == .string("raised") })
        XCTAssertTrue(history.contains { if case .string(let s)? = $0["status"] { s.hasPrefix("attempt_failed") } else { false } })
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
