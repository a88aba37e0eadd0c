import ClickHouse
import Foundation
import JetStream
import MarketData
import Pipeline
import RiskSignalCore
import XCTest

/// Each consumer on the real stack: N messages in → the expected rows out, and bad input to the DLQ.
final class ConsumerTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "consumers") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    let now = Timestamp.now().nanosSinceEpoch / 1_000_000

    func testTradesArriveFieldByFieldAndBadTradesGoToTheDLQ() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "c_trades")
        var messages: [OutgoingMessage] = []
        for i in 0..<500 {
            let json = #"{"symbol":"TRA-USDT","exchange":"sim","event_time":\#(now + Int64(i)),"trade_id":\#(i),"price":"\#(100 + Double(i) / 100)","quantity":0.5,"side":"\#(i % 2 == 0 ? "BUY" : "sell")","taker":\#(i % 3 == 0),"order_id":\#(1000 + i)}"#
            messages.append(OutgoingMessage(subject: "market.trades.TRA-USDT", text: json, headers: [(MessageHeader.intendedSendNanos, "\((now + Int64(i)) * 1_000_000)")]))
        }
        let bad: [(String, String, String)] = [
            ("market.trades.TRA-USDT", "{\"symbol\":", "$"),
            ("market.trades.TRA-USDT", #"{"symbol":"TRA-USDT","event_time":\#(now),"price":1,"quantity":1,"side":"BUY"}"#, "trade_id"),
            ("market.trades.TRA-USDT", #"{"symbol":"TRA-USDT","event_time":\#(now),"trade_id":"x","price":1,"quantity":1,"side":"BUY"}"#, "trade_id"),
            ("market.trades.TRA-USDT", #"{"symbol":"TRA-USDT","event_time":\#(now),"trade_id":1,"price":-5,"quantity":1,"side":"BUY"}"#, "price"),
            ("market.trades.TRA-USDT", #"{"symbol":"tra/usdt","event_time":\#(now),"trade_id":1,"price":5,"quantity":1,"side":"BUY"}"#, "symbol"),
            ("market.trades.TRA-USDT", #"{"symbol":"TRA-USDT","event_time":\#(now),"trade_id":1,"price":5,"quantity":1,"side":"HOLD"}"#, "side"),
            ("market.trades.TRA-USDT", #"{"symbol":"OTHER-USDT","event_time":\#(now),"trade_id":1,"price":5,"quantity":1,"side":"BUY"}"#, "symbol"),
            ("market.trades.TRA-USDT", "{\"pad\":\"" + String(repeating: "x", count: 20_000) + "\"}", "$"),
        ]
        // Bad messages spread among the good ones, so they share batches.
        for (i, b) in bad.enumerated() { messages.insert(OutgoingMessage(subject: b.0, text: b.1), at: i * 60) }
        try await h.publish(messages)
        let def = h.definition(ConsumerCatalog.trades, filter: "market.trades.TRA-USDT", batchSize: 100)
        let counts = try await h.runUntilIdle([def])
        XCTAssertEqual(counts["trades"]?.rowsInserted, 500)
        XCTAssertEqual(counts["trades"]?.deadLettered, UInt64(bad.count))
        let rows = try await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'TRA-USDT'")
        XCTAssertEqual(rows, 500)
        let sample = try await h.clickHouse.rows("SELECT trade_id, price, quantity, side, taker, order_id, toUnixTimestamp64Milli(event_time) AS t, toUnixTimestamp64Milli(intended_at) AS it, metadata FROM trades WHERE trade_id = 7")
        XCTAssertEqual(sample.count, 1)
        XCTAssertEqual(sample[0]["price"], .double(100.07))
        XCTAssertEqual(sample[0]["quantity"], .double(0.5))
        XCTAssertEqual(sample[0]["side"], .string("SELL"), "sides are normalised to upper case")
        XCTAssertEqual(sample[0]["taker"], .bool(false))
        XCTAssertEqual(sample[0]["order_id"], .int(1007))
        XCTAssertEqual(sample[0]["t"], .int(now + 7))
        XCTAssertEqual(sample[0]["it"], .int(now + 7), "the intended send time from the header is stored")
        XCTAssertEqual(sample[0]["metadata"], .string("{\"exchange\":\"sim\"}"))
        let dead = try await h.deadLetters(consumer: def.name)
        XCTAssertEqual(dead.map(\.field), bad.map(\.2))
        XCTAssertTrue(dead[6].reason.contains("does not match the subject"), dead[6].reason)
        XCTAssertTrue(dead[7].reason.contains("byte limit"), dead[7].reason)
        await h.close()
    }

    func testOrderLifecycleEventsAndTheirValidation() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "c_orders")
        var messages: [OutgoingMessage] = []
        let statuses = ["new", "partially_filled", "filled"]
        for i in 0..<300 {
            let st = statuses[i % 3]
            let filled = i % 3 == 0 ? 0.0 : i % 3 == 1 ? 0.5 : 1.0
            messages.append(OutgoingMessage(subject: "user.actions.orders", text: #"{"event_id":"o-\#(i)","event_time":\#(now),"user_id":\#(i % 7),"order_id":\#(i / 3),"symbol":"ORD-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"filled_quantity":\#(filled),"status":"\#(st)"}"#))
        }
        let bad: [(String, String)] = [
            (#"{"event_time":\#(now),"user_id":1,"order_id":1,"symbol":"ORD-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"filled_quantity":2,"status":"new"}"#, "filled_quantity"),
            (#"{"event_time":\#(now),"user_id":-1,"order_id":1,"symbol":"ORD-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"status":"new"}"#, "user_id"),
            (#"{"event_time":\#(now),"user_id":1,"order_id":1,"symbol":"ORD-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"status":"exploded"}"#, "status"),
            (#"{"event_time":\#(now),"user_id":1,"order_id":1,"symbol":"ORD-USDT","side":"BUY","type":"limit","price":0,"quantity":1,"status":"new"}"#, "price"),
            (#"{"event_time":"not a time","user_id":1}"#, "event_time"),
        ]
        for (i, b) in bad.enumerated() { messages.insert(OutgoingMessage(subject: "user.actions.orders", text: b.0), at: i * 50) }
        try await h.publish(messages)
        let counts = try await h.runUntilIdle([h.definition(ConsumerCatalog.actions, filter: "user.actions.orders", batchSize: 64)])
        XCTAssertEqual(counts["actions"]?.rowsInserted, 300)
        let rows = try await h.count("SELECT count() FROM user_orders FINAL")
        XCTAssertEqual(rows, 300)
        let filled = try await h.count("SELECT countIf(status = 'filled' AND filled_quantity = quantity) FROM user_orders")
        XCTAssertEqual(filled, 100)
        let dead = try await h.deadLetters(consumer: "actions")
        XCTAssertEqual(dead.map(\.field), bad.map(\.1))
        await h.close()
    }

    func testFrontendBeaconsBecomeOneRowPerEvent() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "c_frontend")
        var messages: [OutgoingMessage] = []
        var expected = 0
        for s in 0..<100 {
            let n = 1 + s % 7
            expected += n
            let events = (0..<n).map { #"{"event_time":\#(now + Int64($0)),"event_type":"click","element":"b\#($0)","properties":{"page":"/trade","i":\#($0)}}"# }
            messages.append(OutgoingMessage(subject: "frontend.events.web", text: #"{"session_id":"s\#(s)","user_id":\#(s),"sent_at":\#(now),"events":[\#(events.joined(separator: ","))]}"#))
        }
        let bad: [(String, String)] = [
            (#"{"session_id":"x","events":[]}"#, "events"),
            (#"{"session_id":"x","events":[{"event_time":\#(now),"event_type":"click"},{"event_type":"click"}]}"#, "events[1].event_time"),
            (#"{"session_id":"x","events":[5]}"#, "events[0]"),
            (#"{"events":[{"event_time":\#(now),"event_type":"click"}]}"#, "session_id"),
        ]
        for (i, b) in bad.enumerated() { messages.insert(OutgoingMessage(subject: "frontend.events.web", text: b.0), at: i * 20) }
        try await h.publish(messages)
        let counts = try await h.runUntilIdle([h.definition(ConsumerCatalog.frontend, filter: "frontend.events.web", batchSize: 25)])
        XCTAssertEqual(counts["frontend"]?.rowsInserted, UInt64(expected))
        let rows = try await h.count("SELECT count() FROM frontend_actions FINAL")
        XCTAssertEqual(rows, Int64(expected))
        let sample = try await h.clickHouse.rows("SELECT element, properties, user_id FROM frontend_actions WHERE session_id = 's6' ORDER BY event_time")
        XCTAssertEqual(sample.count, 7)
        XCTAssertEqual(sample[3]["element"], .string("b3"))
        XCTAssertEqual(sample[3]["properties"], .string(#"{"i":3,"page":"/trade"}"#))
        XCTAssertEqual(sample[3]["user_id"], .int(6))
        let dead = try await h.deadLetters(consumer: "frontend")
        XCTAssertEqual(dead.map(\.field), bad.map(\.1))
        await h.close()
    }

    func testSocialPostsAreScoredScrubbedAndPublished() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "c_social")
        let texts = ["$SOC to the moon 🚀🚀 wagmi", "SOC rug pull, total scam, I got rekt", "SOC is trading sideways today",
                     "contact me at alice@example.com or +1 415-555-0100, wallet 0x52908400098527886E0F7030069857D2E4169EE7"]
        var messages: [OutgoingMessage] = []
        for i in 0..<40 {
            messages.append(OutgoingMessage(subject: "social.raw.twitter", text: #"{"event_id":"p\#(i)","event_time":\#(now),"source":"twitter","symbol":"\#(i % 2 == 0 ? "SOC-USDT" : "SOCB-USDT")","language":"en","text":\#(JSONText.quoted(texts[i % 4])),"author":"@trader\#(i)","engagement":{"likes":\#(i)}}"#))
        }
        let bad: [(String, String)] = [
            (#"{"event_time":\#(now),"source":"myspace","text":"hi"}"#, "source"),
            (#"{"event_time":\#(now),"source":"reddit","symbol":"doge","text":"hi"}"#, "symbol"),
            (#"{"event_time":\#(now),"source":"reddit"}"#, "text"),
        ]
        for (i, b) in bad.enumerated() { messages.insert(OutgoingMessage(subject: "social.raw.reddit", text: b.0), at: i * 10) }
        try await h.publish(messages)
        let processedBefore = try await h.js.streamState("SOCIAL_PROCESSED").messages
        let counts = try await h.runUntilIdle([h.definition(ConsumerCatalog.social, filter: "social.raw.>", batchSize: 100)])
        XCTAssertEqual(counts["social"]?.rowsInserted, 40)
        let processedAfter = try await h.js.streamState("SOCIAL_PROCESSED").messages
        XCTAssertEqual(processedAfter - processedBefore, 40, "every scored post is published to social.processed.<symbol>")
        let rows = try await h.clickHouse.rows("SELECT event_id, sentiment_score AS s, sentiment_label AS l, tokens_count AS n, text, provider, metadata FROM social_buzz FINAL ORDER BY toUInt32(substring(event_id, 2))")
        XCTAssertEqual(rows.count, 40)
        func score(_ r: [String: JSONValue]) -> Double { if case .double(let d)? = r["s"] { d } else if case .int(let i)? = r["s"] { Double(i) } else { .nan } }
        XCTAssertGreaterThan(score(rows[0]), 0.3)
        XCTAssertEqual(rows[0]["l"], .string("positive"))
        XCTAssertLessThan(score(rows[1]), -0.3)
        XCTAssertEqual(rows[1]["l"], .string("negative"))
        XCTAssertEqual(rows[0]["provider"], .string("lexicon"))
        XCTAssertTrue(rows.allSatisfy { (-1...1).contains(score($0)) })
        guard case .string(let scrubbed)? = rows[3]["text"], case .string(let meta)? = rows[3]["metadata"] else { return XCTFail("row 3") }
        XCTAssertFalse(scrubbed.contains("alice@example.com"), scrubbed)
        XCTAssertFalse(scrubbed.contains("415-555-0100"), scrubbed)
        XCTAssertFalse(scrubbed.lowercased().contains("0x52908400098527886e0f7030069857d2e4169ee7"), scrubbed)
        XCTAssertTrue(scrubbed.contains("wallet_"), scrubbed)
        XCTAssertFalse(meta.contains("trader3"), "authors are hashed: \(meta)")
        XCTAssertTrue(meta.contains("\"batch\":{\"provider\":\"lexicon\""), meta)
        let dead = try await h.deadLetters(consumer: "social")
        XCTAssertEqual(dead.map(\.field), bad.map(\.1))
        await h.close()
    }
}
