import Alerting
import ClickHouse
import Foundation
import JetStream
import Pipeline
import RiskSignalCore
import StandIns
import Synchronization
import XCTest

/// Alerts across crashes and redeliveries, each on its own stack so no other test's alerts are on the bus: a detector
/// killed before its ack raises no second alert, and a sender that crashed after recording a delivery does not send
/// it again.
final class AlertRecoveryTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "alert-recovery") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testADetectorKilledBeforeItsAckRaisesNoSecondAlertAfterRedelivery() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "a_kill")
        let receiver = WebhookReceiver(secret: "s3cret")
        let (server, port) = try await startReceiver(receiver)
        defer { server.cancel() }

        let t0 = Timestamp.now().nanosSinceEpoch / 1_000_000
        var messages = (0..<5).map { bookSnapshot("KIL-USDT", at: t0 + Int64($0) * 1000, depthPerLevel: 10, intended: (t0 + Int64($0) * 1000) * 1_000_000) }
        messages.append(bookSnapshot("KIL-USDT", at: t0 + 5000, depthPerLevel: 4, intended: (t0 + 5000) * 1_000_000))
        try await h.publish(messages)

        var options = h.options([h.definition(ConsumerCatalog.webhooks, filter: "alerts.liquidity_drop", batchSize: 10)])
        options.stopWhenIdle = nil
        options.webhooks.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:\(port)/alerts")]
        options.webhooks.secret = "s3cret"
        let sender = Task { try await PipelineRunner(options: options).run() }
        defer { sender.cancel() }

        // A 20 s window keeps the inputs unacked (held by the open window) for as long as the input stays busy; the
        // first quiet second flushes it, so the crash comes right after the delivery.
        let durable = "kill-detector-\(UInt32.random(in: 0...UInt32.max))"
        let env = ["RS_MARKET_DURABLE": durable, "RS_MARKET_FILTER": "market.l2raw.KIL-USDT"]
        let args = ["--window-ms", "20000", "--ack-wait", "3"]
        let first = try RisksignalProcess.start(Self.stack, database: "a_kill", only: "market", environment: env, arguments: args)
        defer { first.killIfRunning() }
        // ALERTS keeps the other tests' alerts too, and this sender's new durable starts from the first: count ours.
        func ours() -> Int { receiver.deliveries.filter { $0.body.contains(#""key":"KIL-USDT""#) }.count }
        try await eventually(timeout: .seconds(30), "the alert to be delivered") { ours() > 0 }
        first.crash()
        let held = try await h.js.consumerState(stream: StreamCatalog.marketL2Raw.name, durable: durable)
        XCTAssertGreaterThan(held.numAckPending, 0, "the detector died holding its window's inputs unacked")

        let second = try RisksignalProcess.start(Self.stack, database: "a_kill", only: "market", environment: env, arguments: args)
        defer { second.killIfRunning() }
        try await eventually(timeout: .seconds(30), "the restarted detector to take all 6 redelivered inputs and ack them") {
            let s = try await h.js.consumerState(stream: StreamCatalog.marketL2Raw.name, durable: durable)
            return second.metrics.contains(#"risksignal_messages_received_total{consumer="market"} 6"#) && s.numAckPending == 0 && s.numPending == 0
        }
        try await Task.sleep(for: .seconds(2))  // time for a wrong second delivery to show up
        XCTAssertEqual(second.terminate().status, 0)
        XCTAssertEqual(ours(), 1, "exactly one delivery: the re-detected alert was a duplicate on the bus")
        let raised = try await h.count("SELECT uniqExact(alert_id) FROM alerts_history FINAL WHERE key = 'KIL-USDT'")
        XCTAssertEqual(raised, 1, "one alert id, raised twice and stored once")
        await h.close()
    }

    /// The webhook sender crashed after storing an alert's `delivered` row but before acking it: the redelivered alert
    /// is recognised from `alerts_history` and not sent again.
    func testARedeliveredAlertAlreadyRecordedAsDeliveredIsNotSentAgain() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "a_redeliver")
        let receiver = WebhookReceiver(secret: "s3cret")
        let (server, port) = try await startReceiver(receiver)
        defer { server.cancel() }
        let alert = RiskAlert(id: "redelivery_check-RDL-USDT-\(Timestamp.now().nanosSinceEpoch)", rule: "redelivery_check", severity: "warning",
                              key: "RDL-USDT", observed: 1, threshold: 0.5, windowSeconds: 10, eventTime: Timestamp.now().nanosSinceEpoch,
                              intendedTime: nil, detail: [:])
        try await h.publish([OutgoingMessage(subject: "alerts.redelivery_check", text: alert.jsonText(), messageID: alert.id)])

        var settings = WebhookSettings()
        settings.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:\(port)/alerts")]
        settings.secret = "s3cret"
        var def = h.definition(ConsumerCatalog.webhooks, filter: "alerts.redelivery_check", batchSize: 10)
        def.ackWait = .seconds(1)
        // The first run: delivered, its rows stored, then "crashed": never acked.
        let consumer = try await h.js.pullConsumer(def.consumerSpec)
        let got = try await consumer.fetch(batch: 10, maxWait: .seconds(5))
        XCTAssertEqual(got.count, 1)
        let handler = WebhookHandler(settings: settings, history: h.clickHouse)
        let out = try await handler.handle(got)
        await handler.shutdown()
        try await h.clickHouse.insert(into: "alerts_history", batch: try XCTUnwrap(out.rows["alerts_history"]))
        XCTAssertEqual(receiver.deliveries.count, 1)

        // The restarted sender gets it again after the ack wait and acks it without a second POST.
        var options = h.options([def])
        options.webhooks = settings
        options.stopWhenIdle = 20  // ≈ 4 s of quiet: the redelivery comes after the 1 s ack wait
        let counts = try await PipelineRunner(options: options).run()
        XCTAssertEqual(counts["webhooks"]?.received, 1, "the alert was redelivered")
        XCTAssertEqual(receiver.deliveries.count, 1, "and not sent again")
        let state = try await h.js.consumerState(stream: StreamCatalog.alerts.name, durable: def.durable)
        XCTAssertEqual(state.numAckPending, 0)
        XCTAssertEqual(state.numPending, 0)
        await h.close()
    }
}
