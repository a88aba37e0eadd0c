import ClickHouse
import Foundation
import JetStream
import LocalStack
import Pipeline
import RiskSignalCore
import XCTest

/// Issue 12's poison pill, on every stream the pipeline consumes: a message whose `event_time` is in 2300, 1e300 or
/// Int64.min sits between valid ones. The consumers run in this process, so a trap would end the test run; instead the
/// poison goes to `dead_letters` with `event_time` named, and the valid messages around it are stored.
final class ExtremeValuePoisonTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "poison") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    let now = Timestamp.now().nanosSinceEpoch / 1_000_000
    /// 2300-01-01 in ms (past Int64 nanoseconds), a double far past any date, Int64.min, and 2250 (fits, but the
    /// tables' `toDateTime` would wrap it and the TTL drop it: class 3's silent loss).
    static let poisons = ["10413792000000", "1e300", "-9223372036854775808", #""2300-01-01T00:00:00Z""#, #""2250-01-01T00:00:00Z""#]

    /// Publishes valid, poison, valid, … and runs `consumer` until idle; returns the dead letters' fields and reasons.
    func run(_ h: PipelineHarness, _ consumer: ConsumerDefinition, filter: String,
             valid: (Int) -> OutgoingMessage, poison: (String) -> OutgoingMessage) async throws -> (counts: IngestCounts?, dead: [(field: String, reason: String)]) {
        var messages: [OutgoingMessage] = [valid(0)]
        for (i, p) in Self.poisons.enumerated() {
            messages.append(poison(p))
            messages.append(valid(i + 1))
        }
        try await h.publish(messages)
        let started = ContinuousClock.now
        let counts = try await h.runUntilIdle([h.definition(consumer, filter: filter, batchSize: 100)])
        // Bounded, not a speed test: the valid messages behind the poison are not held up by redeliveries.
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(120))
        return (counts[consumer.name], try await h.deadLetters(consumer: consumer.name))
    }

    func assertPoisonDeadLettered(_ dead: [(field: String, reason: String)], field: String = "event_time", file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(dead.count, Self.poisons.count, "\(dead)", file: file, line: line)
        for d in dead { XCTAssertEqual(d.field, field, d.reason, file: file, line: line) }
        XCTAssertTrue(dead.contains { $0.reason.contains("accepted window") }, "2250 is refused with the reason: \(dead)", file: file, line: line)
    }

    func testTrades() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_trades")
        let r = try await run(h, ConsumerCatalog.trades, filter: "market.trades.PSN-USDT", valid: { i in
            OutgoingMessage(subject: "market.trades.PSN-USDT", text: #"{"symbol":"PSN-USDT","event_time":\#(self.now + Int64(i)),"trade_id":\#(i),"price":1,"quantity":1,"side":"BUY"}"#)
        }, poison: { p in
            OutgoingMessage(subject: "market.trades.PSN-USDT", text: #"{"symbol":"PSN-USDT","event_time":\#(p),"trade_id":999,"price":1,"quantity":1,"side":"BUY"}"#)
        })
        XCTAssertEqual(r.counts?.rowsInserted, UInt64(Self.poisons.count + 1))
        let rows = try await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'PSN-USDT'")
        XCTAssertEqual(rows, Int64(Self.poisons.count + 1), "every valid trade around the poison is stored")
        assertPoisonDeadLettered(r.dead)
        await h.close()
    }

    func testOrders() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_orders")
        func order(_ t: String, _ id: Int) -> OutgoingMessage {
            OutgoingMessage(subject: "user.actions.orders", text: #"{"event_id":"o\#(id)","event_time":\#(t),"user_id":1,"order_id":\#(id),"symbol":"PSN-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"status":"new"}"#)
        }
        var k = 100
        let r = try await run(h, ConsumerCatalog.actions, filter: "user.actions.orders", valid: { i in order("\(self.now + Int64(i))", i) },
                              poison: { p in k += 1; return order(p, k) })
        let n1 = try await h.count("SELECT count() FROM user_orders FINAL")
        XCTAssertEqual(n1, Int64(Self.poisons.count + 1))
        assertPoisonDeadLettered(r.dead)
        await h.close()
    }

    func testFrontendBeacons() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_frontend")
        func beacon(_ t: String, _ s: String) -> OutgoingMessage {
            OutgoingMessage(subject: "frontend.events.web", text: #"{"session_id":"\#(s)","user_id":1,"events":[{"event_time":\#(self.now),"event_type":"click"},{"event_time":\#(t),"event_type":"click"}]}"#)
        }
        let r = try await run(h, ConsumerCatalog.frontend, filter: "frontend.events.web", valid: { i in beacon("\(self.now + Int64(i))", "ok\(i)") },
                              poison: { p in beacon(p, "bad") })
        let n2 = try await h.count("SELECT count() FROM frontend_actions FINAL")
        XCTAssertEqual(n2, Int64(2 * (Self.poisons.count + 1)))
        let n3 = try await h.count("SELECT count() FROM frontend_actions FINAL WHERE session_id = 'bad'")
        XCTAssertEqual(n3, 0, "a beacon is stored whole or not at all")
        assertPoisonDeadLettered(r.dead, field: "events[1].event_time")
        await h.close()
    }

    func testSignals() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_signals")
        func signal(_ t: String) -> OutgoingMessage {
            OutgoingMessage(subject: "signals.transaction", text: #"{"event_time":\#(t),"source_id":"s","event_type":"transaction","payload":{},"severity":3,"trace_id":"\#(UUID().uuidString.lowercased())"}"#)
        }
        // Seed 000's schema takes ISO strings only: numbers are refused by type, ISO beyond the window by range.
        let r = try await run(h, ConsumerCatalog.signals, filter: "signals.>",
                              valid: { i in signal("\"\(Timestamp(nanosSinceEpoch: (self.now + Int64(i)) * 1_000_000).iso8601)\"") },
                              poison: { p in signal(p) })
        let n4 = try await h.count("SELECT count() FROM raw_signals FINAL")
        XCTAssertEqual(n4, Int64(Self.poisons.count + 1))
        assertPoisonDeadLettered(r.dead)
        await h.close()
    }

    func testSocialPosts() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_social")
        func post(_ t: String, _ id: String) -> OutgoingMessage {
            OutgoingMessage(subject: "social.raw.twitter", text: #"{"event_id":"\#(id)","event_time":\#(t),"source":"twitter","symbol":"PSN-USDT","text":"PSN to the moon"}"#)
        }
        var k = 0
        let r = try await run(h, ConsumerCatalog.social, filter: "social.raw.twitter", valid: { i in post("\(self.now + Int64(i))", "ok\(i)") },
                              poison: { p in k += 1; return post(p, "bad\(k)") })
        let n5 = try await h.count("SELECT count() FROM social_buzz FINAL")
        XCTAssertEqual(n5, Int64(Self.poisons.count + 1))
        assertPoisonDeadLettered(r.dead)
        await h.close()
    }

    func testSocialPostsWithTextTimestamps() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_social_text")
        let day = Timestamp.now().iso8601.prefix(10)
        let forms = ["\(day) 00:00:21 IST", "\(day) 00:00:22 UTC", "\(day) 00:00:23 PST"]
        let messages = forms.enumerated().map { i, f in
            OutgoingMessage(subject: "social.raw.reddit", text: #"{"event_id":"t\#(i)","event_time":"\#(f)","source":"reddit","symbol":"TXT-USDT","text":"hello"}"#)
        }
        try await h.publish(messages)
        // Its own subject: the other social test's messages share the SOCIAL_RAW stream of this stack.
        try await h.runUntilIdle([h.definition(ConsumerCatalog.social, filter: "social.raw.reddit", batchSize: 100)])
        let times = try await h.clickHouse.rows("SELECT toUnixTimestamp64Milli(event_time) AS t FROM social_buzz FINAL ORDER BY event_id")
        let base = Timestamp(iso8601: "\(day)T00:00:00Z")!.nanosSinceEpoch / 1_000_000
        let expected: [Int64] = [base + 21_000 - 19_800_000, base + 22_000, base + 23_000 + 28_800_000]
        let dead = try await h.deadLetters(consumer: "social")
        // A form whose instant is already past the window (PST 8 h ahead of midnight UTC is fine; IST 5.5 h before
        // midnight may be yesterday but within 30 days) is stored; nothing is dead-lettered.
        XCTAssertEqual(dead.count, 0, "\(dead)")
        XCTAssertEqual(times.compactMap { if case .int(let t)? = $0["t"] { t } else { nil } }, expected)
        await h.close()
    }

    func testMarketL2() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_market")
        var id: Int64 = 10
        func update(_ type: String, _ t: String, advance: Bool) -> OutgoingMessage {
            let first = id + 1
            if advance { id += 1 }
            let text = #"{"symbol":"PSN-USDT","exchange":"sim","type":"\#(type)","event_time":\#(t),"first_update_id":\#(type == "snapshot" ? id : first),"last_update_id":\#(type == "snapshot" ? id : first),"bids":[[99,1]],"asks":[[101,1]]}"#
            return OutgoingMessage(subject: "market.l2raw.PSN-USDT", text: text)
        }
        let r = try await run(h, ConsumerCatalog.market, filter: "market.l2raw.PSN-USDT",
                              valid: { i in i == 0 ? update("snapshot", "\(self.now)", advance: false) : update("delta", "\(self.now + Int64(i) * 200)", advance: true) },
                              poison: { p in update("delta", p, advance: false) })
        let n6 = try await h.count("SELECT count() FROM book_topn FINAL WHERE symbol = 'PSN-USDT'")
        XCTAssertGreaterThan(n6, 0)
        let gaps = try await h.count("SELECT count() FROM book_topn FINAL WHERE symbol = 'PSN-USDT' AND update_type = 'delta'")
        XCTAssertEqual(gaps, Int64(Self.poisons.count), "every valid delta after the poison lands in a window: no gap, no resync")
        assertPoisonDeadLettered(r.dead)
        await h.close()
    }

    /// The alert consumer's order input (the book rules run in the market normaliser, covered by `testMarketL2`).
    func testAlertOrders() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_alerts")
        func order(_ t: String, _ id: Int) -> OutgoingMessage {
            OutgoingMessage(subject: "user.actions.alertpsn", text: #"{"event_id":"a\#(id)","event_time":\#(t),"user_id":1,"order_id":\#(id),"symbol":"PSN-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"status":"new"}"#)
        }
        var k = 100
        let r = try await run(h, ConsumerCatalog.alerts, filter: "user.actions.alertpsn", valid: { i in order("\(self.now + Int64(i))", i) },
                              poison: { p in k += 1; return order(p, k) })
        assertPoisonDeadLettered(r.dead)
        await h.close()
    }

    /// The same poison against `risksignal run` as a process: it stays up, dead-letters every poison and stores the
    /// valid trades around them, then exits 0 on SIGTERM (a trap would end it with a signal instead).
    func testRisksignalRunStaysUp() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_run")
        let p = try RisksignalProcess.start(Self.stack, database: "p_run", only: "trades", environment: [
            "RS_TRADES_DURABLE": "poison-run-trades", "RS_TRADES_FILTER": "market.trades.RUNP-USDT"])
        defer { p.killIfRunning() }

        var messages: [OutgoingMessage] = []
        for (i, poison) in ([nil] + Self.poisons.map(Optional.some)).enumerated() {
            if let poison {
                messages.append(OutgoingMessage(subject: "market.trades.RUNP-USDT", text: #"{"symbol":"RUNP-USDT","event_time":\#(poison),"trade_id":999,"price":1,"quantity":1,"side":"BUY"}"#))
            }
            messages.append(OutgoingMessage(subject: "market.trades.RUNP-USDT", text: #"{"symbol":"RUNP-USDT","event_time":\#(now + Int64(i)),"trade_id":\#(i),"price":1,"quantity":1,"side":"BUY"}"#))
        }
        try await h.publish(messages)
        let valid = Self.poisons.count + 1
        var metrics = ""
        try await eventually(timeout: .seconds(30), "the pipeline to store \(valid) trades and dead-letter \(Self.poisons.count)") {
            metrics = p.metrics
            return metrics.contains(#"risksignal_rows_inserted_total{consumer="trades",table="trades"} \#(valid)"#)
                && metrics.contains(#"risksignal_dlq_total{consumer="trades"} \#(Self.poisons.count)"#)
        }
        XCTAssertTrue(p.isRunning, "risksignal run is still up after the poison")
        let exit = p.terminate()
        XCTAssertEqual(exit.reason, .exit)
        XCTAssertEqual(exit.status, 0)
        let n = try await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'RUNP-USDT'")
        XCTAssertEqual(n, Int64(valid))
        assertPoisonDeadLettered(try await h.deadLetters(consumer: "trades"))
        await h.close()
    }
}
