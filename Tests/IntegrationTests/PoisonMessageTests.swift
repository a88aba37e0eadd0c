import ClickHouse
import Foundation
import JetStream
import LocalStack
import Pipeline
import RiskSignalCore
import Sentiment
import XCTest

/// Issue 12, class 2 on the real stack: one poison message per stream (valid, poison, valid) ends dead-lettered,
/// the valid ones around it are stored, and the consumer returns on its own (nothing stalls, nothing traps).
final class PoisonMessageTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "poison") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    let now = Timestamp.now().nanosSinceEpoch / 1_000_000

    /// What nats.c reads as a pull-status control message, published as an ordinary stream message.
    static func statusLookalike(_ subject: String, status: String = "404") -> OutgoingMessage {
        OutgoingMessage(subject: subject, payload: [], headers: [("Status", status), ("Description", "No Messages")])
    }

    func trade(_ symbol: String, id: Int, time: Int64, exchange: String = "sim") -> String {
        #"{"symbol":"\#(symbol)","exchange":"\#(exchange)","event_time":\#(time),"trade_id":\#(id),"price":"100.5","quantity":0.5,"side":"BUY","taker":true,"order_id":\#(id)}"#
    }

    func order(_ i: Int) -> String {
        #"{"event_id":"po-\#(i)-\#(UInt32.random(in: 0...UInt32.max))","event_time":\#(now),"user_id":\#(i % 7),"order_id":\#(i),"symbol":"POI-USDT","side":"BUY","type":"limit","price":10,"quantity":1,"filled_quantity":0,"status":"new"}"#
    }

    func l2(_ symbol: String, type: String, first: Int64, last: Int64, ms: Int64, exchange: String = "sim", bid: Double = 1) -> String {
        let levels = type == "snapshot" ? (1...5).map { "[\"\(100 - Double($0))\",\($0)]" }.joined(separator: ",") : "[\"99\",\(bid)]"
        let asks = type == "snapshot" ? (1...5).map { "[\"\(100 + Double($0))\",\($0)]" }.joined(separator: ",") : ""
        return #"{"symbol":"\#(symbol)","exchange":"\#(exchange)","type":"\#(type)","event_time":\#(ms),"first_update_id":\#(first),"last_update_id":\#(last),"bids":[\#(levels)],"asks":[\#(asks)]}"#
    }

    /// Publishes valid, poison, valid on `subject`, runs the consumer until idle; checks the poison is dead-lettered
    /// (by its stream sequence) and returns the counts.
    func roundTrip(_ h: PipelineHarness, _ base: ConsumerDefinition, subject: String, filter: String? = nil, valid: [String],
                   poison: OutgoingMessage, file: StaticString = #filePath, line: UInt = #line) async throws -> IngestCounts {
        let half = valid.count / 2
        var messages = valid.prefix(half).map { OutgoingMessage(subject: subject, text: $0) }
        messages.append(poison)
        messages += valid.dropFirst(half).map { OutgoingMessage(subject: subject, text: $0) }
        let before = try await h.js.streamState(base.stream.name).lastSequence
        try await h.publish(messages)
        let poisonSeq = before + UInt64(half) + 1
        let def = h.definition(base, filter: filter ?? subject, batchSize: 50)
        let started = ContinuousClock.now
        let counts = try await h.runUntilIdle([def])
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(60), "the consumer finished on its own", file: file, line: line)
        let dead = try await h.clickHouse.rows("SELECT field, reason, stream_sequence FROM dead_letters FINAL WHERE consumer = '\(base.name)' AND stream = '\(base.stream.name)' AND stream_sequence = \(poisonSeq)")
        XCTAssertEqual(dead.count, 1, "the poison message (seq \(poisonSeq)) is in dead_letters", file: file, line: line)
        if case .string(let reason)? = dead.first?["reason"] { XCTAssertFalse(reason.isEmpty, file: file, line: line) }
        let state = try await h.js.consumerState(stream: base.stream.name, durable: def.durable)
        XCTAssertEqual(state.numAckPending, 0, "every message is acked or terminated", file: file, line: line)
        XCTAssertEqual(state.numPending, 0, file: file, line: line)
        return try XCTUnwrap(counts[base.name], file: file, line: line)
    }

    func testAStatusLookalikeIsDeadLetteredOnEveryStreamAndTheValidMessagesAroundItAreStored() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_status")
        // signals
        var gen = TestSignalGenerator(seed: 404)
        let signals = (0..<4).map { _ in gen.next(at: Timestamp.now()).messageJSON() }
        var c = try await roundTrip(h, ConsumerCatalog.signals, subject: "signals.poison", valid: signals, poison: Self.statusLookalike("signals.poison"))
        XCTAssertEqual(c.rowsInserted, 4)
        let n1 = try await h.count("SELECT count() FROM raw_signals FINAL")
        XCTAssertEqual(n1, 4)
        // trades, with each status nats.c treats as a control message
        for (k, status) in ["404", "408", "409", "503"].enumerated() {
            let sym = "ST\(k)-USDT"
            c = try await roundTrip(h, ConsumerCatalog.trades, subject: "market.trades.\(sym)", valid: (0..<4).map { trade(sym, id: $0, time: now) },
                                    poison: Self.statusLookalike("market.trades.\(sym)", status: status))
            XCTAssertEqual(c.rowsInserted, 4, "Status: \(status)")
            let n2 = try await h.count("SELECT count() FROM trades FINAL WHERE symbol = '\(sym)'")
            XCTAssertEqual(n2, 4, "Status: \(status)")
        }
        // user actions
        c = try await roundTrip(h, ConsumerCatalog.actions, subject: "user.actions.poison", valid: (0..<4).map(order), poison: Self.statusLookalike("user.actions.poison"))
        XCTAssertEqual(c.rowsInserted, 4)
        // frontend
        let beacons = (0..<4).map { #"{"session_id":"ps\#($0)","user_id":\#($0),"sent_at":\#(now),"events":[{"event_time":\#(now),"event_type":"click","element":"b"}]}"# }
        c = try await roundTrip(h, ConsumerCatalog.frontend, subject: "frontend.events.poison", valid: beacons, poison: Self.statusLookalike("frontend.events.poison"))
        XCTAssertEqual(c.rowsInserted, 4)
        let n3 = try await h.count("SELECT count() FROM frontend_actions FINAL WHERE startsWith(session_id, 'ps')")
        XCTAssertEqual(n3, 4)
        // social
        let posts = (0..<4).map { #"{"event_id":"pp\#($0)","event_time":\#(now),"source":"twitter","symbol":"POI-USDT","language":"en","text":"POI is fine","author":"@a"}"# }
        c = try await roundTrip(h, ConsumerCatalog.social, subject: "social.raw.twitter", filter: "social.raw.twitter", valid: posts,
                                poison: Self.statusLookalike("social.raw.twitter"))
        XCTAssertEqual(c.rowsInserted, 4)
        let n4 = try await h.count("SELECT count() FROM social_buzz FINAL WHERE startsWith(event_id, 'pp')")
        XCTAssertEqual(n4, 4)
        // market L2: snapshot, poison, deltas
        let t0 = now - 10_000
        let book = [l2("STL-USDT", type: "snapshot", first: 100, last: 100, ms: t0)] + (1...3).map { l2("STL-USDT", type: "delta", first: 100 + Int64($0), last: 100 + Int64($0), ms: t0 + Int64($0) * 200, bid: Double($0)) }
        c = try await roundTrip(h, ConsumerCatalog.market, subject: "market.l2raw.STL-USDT", valid: book, poison: Self.statusLookalike("market.l2raw.STL-USDT"))
        let n5 = try await h.count("SELECT count() FROM book_topn FINAL WHERE symbol = 'STL-USDT'")
        XCTAssertGreaterThan(n5, 0)
        await h.close()
    }

    func testACrossedQuoteIsDeadLetteredAndTheOthersStored() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "q_poison")
        let now = Timestamp.now().nanosSinceEpoch / 1_000_000
        func quote(_ i: Int, bid: Double, ask: Double) -> OutgoingMessage {
            OutgoingMessage(subject: "market.quotes.QPS-USDT", text: #"{"symbol":"QPS-USDT","exchange":"sim","event_time":\#(now + Int64(i)),"bid_price":\#(bid),"bid_size":1,"ask_price":\#(ask),"ask_size":null}"#)
        }
        var messages = (0..<5).map { quote($0, bid: 100, ask: 100.5) }
        messages.insert(quote(99, bid: 101, ask: 100), at: 2)  // crossed
        try await h.publish(messages)
        let counts = try await h.runUntilIdle([h.definition(ConsumerCatalog.quotes, filter: "market.quotes.QPS-USDT", batchSize: 100)])
        XCTAssertEqual(counts["quotes"]?.rowsInserted, 5)
        XCTAssertEqual(counts["quotes"]?.deadLettered, 1)
        let dead = try await h.deadLetters(consumer: "quotes")
        XCTAssertEqual(dead.map(\.field), ["ask_price"])
        let nullSizes = try await h.count("SELECT count() FROM quotes FINAL WHERE ask_size IS NULL AND bid_size = 1")
        XCTAssertEqual(nullSizes, 5, "an unknown size is stored as NULL, not as 0")
        await h.close()
    }

    func testTheAlertConsumersDeadLetterAStatusLookalikeAndKeepConsuming() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_alerts")
        let orders = (0..<6).map(order)
        var messages = orders.prefix(3).map { OutgoingMessage(subject: "user.actions.alertpoison", text: $0) }
        messages.append(Self.statusLookalike("user.actions.alertpoison"))
        messages += orders.dropFirst(3).map { OutgoingMessage(subject: "user.actions.alertpoison", text: $0) }
        messages.append(Self.statusLookalike("social.processed.ALP-USDT"))
        try await h.publish(messages)
        var def = ConsumerCatalog.alerts
        def.policy.maxWait = .milliseconds(100)
        let counts = try await h.runUntilIdle([def])
        XCTAssertGreaterThanOrEqual(counts["alerts"]?.deadLettered ?? 0, 2, "one per input stream")
        for (stream, durable) in [("USER_ACTIONS", "alerts-orders"), ("SOCIAL_PROCESSED", "alerts-posts")] {
            let s = try await h.js.consumerState(stream: stream, durable: durable)
            XCTAssertEqual(s.numAckPending, 0, durable)
            XCTAssertEqual(s.numPending, 0, durable)
        }
        let dead = try await h.count("SELECT count() FROM dead_letters FINAL WHERE consumer = 'alerts' AND payload = ''")
        XCTAssertGreaterThanOrEqual(dead, 2)
        await h.close()
    }

    /// `risksignal run` as a process: poison between valid trades, and the process is still up afterwards.
    func testThePipelineProcessStaysUpAndKeepsStoringAroundPoison() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_process")
        let p = try RisksignalProcess.start(Self.stack, database: "p_process", only: "trades", environment: [
            "RS_TRADES_DURABLE": "poison-process-trades", "RS_TRADES_FILTER": "market.trades.PPR-USDT", "RS_TRADES_MAX_DELIVER": "3"])
        defer { p.killIfRunning() }
        var msgs = (0..<10).map { OutgoingMessage(subject: "market.trades.PPR-USDT", text: trade("PPR-USDT", id: $0, time: now)) }
        msgs.append(Self.statusLookalike("market.trades.PPR-USDT", status: "503"))
        msgs.append(Self.statusLookalike("market.trades.PPR-USDT", status: "404"))
        msgs.append(OutgoingMessage(subject: "market.trades.PPR-USDT", payload: Array(repeating: UInt8(ascii: "x"), count: h.nats.maxPayload - 10)))
        msgs += (10..<130).map { OutgoingMessage(subject: "market.trades.PPR-USDT", text: trade("PPR-USDT", id: $0, time: now)) }
        try await h.publish(msgs)
        var metrics = ""
        try await eventually(timeout: .seconds(30), "130 trades stored and 3 dead-lettered") {
            metrics = p.metrics
            return metrics.contains(#"risksignal_rows_inserted_total{consumer="trades",table="trades"} 130"#)
                && metrics.contains(#"risksignal_dlq_total{consumer="trades"} 3"#)
        }
        XCTAssertTrue(p.isRunning, "the pipeline is still up")
        // And it keeps consuming: a valid trade after the poison is stored within seconds.
        try await h.publish([OutgoingMessage(subject: "market.trades.PPR-USDT", text: trade("PPR-USDT", id: 500, time: now))])
        try await eventually(timeout: .seconds(10), "the next valid trade") {
            try await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'PPR-USDT'") == 131
        }
        XCTAssertTrue(p.isRunning)
        XCTAssertEqual(p.terminate().status, 0)
        await h.close()
    }

    func testTheWebhookConsumerDeadLettersAStatusLookalikeWithoutCallingTheEndpoint() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_hooks")
        try await h.publish([Self.statusLookalike("alerts.poison_rule"), Self.statusLookalike("alerts.poison_rule", status: "503")])
        let def = h.definition(ConsumerCatalog.webhooks, filter: "alerts.poison_rule", batchSize: 10)
        let counts = try await h.runUntilIdle([def]) { o in
            o.webhooks.endpoints = [WebhookEndpoint(url: "http://127.0.0.1:1/alerts")]
            o.webhooks.secret = "poison"
        }
        XCTAssertEqual(counts["webhooks"]?.deadLettered, 2)
        let state = try await h.js.consumerState(stream: def.stream.name, durable: def.durable)
        XCTAssertEqual(state.numAckPending, 0)
        XCTAssertEqual(state.numPending, 0)
        await h.close()
    }

    func testAMessageJustUnderMaxPayloadIsDeadLetteredWithATruncatedCopyThatSaysSo() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_payload")
        let max = h.nats.maxPayload
        XCTAssertGreaterThan(max, 1000)
        let prefix = "{\"pad\":\""
        let body = Array((prefix + String(repeating: "x", count: max - 10 - prefix.utf8.count - 2) + "\"}").utf8)
        XCTAssertEqual(body.count, max - 10)
        let sym = "BIG-USDT"
        let c = try await roundTrip(h, ConsumerCatalog.trades, subject: "market.trades.\(sym)", valid: (0..<4).map { trade(sym, id: $0, time: now) },
                                    poison: OutgoingMessage(subject: "market.trades.\(sym)", payload: body))
        XCTAssertEqual(c.rowsInserted, 4)
        XCTAssertEqual(c.deadLettered, 1)
        let rows = try await h.clickHouse.rows("SELECT field, reason, headers FROM dead_letters FINAL WHERE consumer = 'trades' AND subject = 'market.trades.\(sym)'")
        XCTAssertEqual(rows.count, 1)
        guard case .string(let reason)? = rows.first?["reason"], case .string(let headers)? = rows.first?["headers"] else { return XCTFail("no dead_letters row") }
        XCTAssertTrue(reason.contains("byte limit"), reason)
        XCTAssertTrue(headers.contains("\"Rs-Dlq-Original-Size\":\"\(body.count)\""), headers)
        XCTAssertTrue(headers.contains(SHA256.hex(SHA256.digest(body))), headers)
        // The copy in the DLQ stream: truncated, and saying so.
        let dlq = try await h.js.pullConsumer(ConsumerSpec(stream: "DLQ", durable: "p-payload-reader", filterSubject: "dlq.trades"))
        var found: JetStreamMessage?
        for _ in 0..<10 where found == nil {
            let got = try await dlq.fetch(batch: 100, maxWait: .milliseconds(500))
            found = got.first { $0.header(MessageHeader.dlqSubject) == "market.trades.\(sym)" }
            if got.isEmpty { break }
        }
        let copy = try XCTUnwrap(found, "the DLQ copy was published")
        XCTAssertEqual(copy.header(MessageHeader.dlqTruncated), "true")
        XCTAssertEqual(copy.header(MessageHeader.dlqOriginalSize), String(body.count))
        XCTAssertEqual(copy.header(MessageHeader.dlqOriginalSHA256), SHA256.hex(SHA256.digest(body)))
        XCTAssertTrue(copy.header(MessageHeader.dlqReason)?.contains("byte limit") ?? false)
        XCTAssertLessThan(copy.payload.count, body.count)
        XCTAssertEqual(copy.payload, Array(body.prefix(copy.payload.count)), "the copy is a prefix of the original")
        await h.close()
    }

    /// Wraps a real handler and rewrites the `event_time` of the rows it produces, so a batch passes our validator and
    /// only ClickHouse refuses it: `rewrite(k, row)` gives row k's new `event_time` text, or nil to leave the row alone.
    struct RewritingEventTime<H: BatchHandler>: BatchHandler {
        let inner: H
        let rewrite: @Sendable (Int, String) -> String?

        func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput { apply(try await inner.handle(messages)) }
        func idle() async throws -> HandlerOutput { apply(try await inner.idle()) }

        func apply(_ out: HandlerOutput) -> HandlerOutput {
            var out = out
            for (table, batch) in out.rows {
                var fixed = InsertBatch()
                for (k, r) in batch.rowRanges.enumerated() {
                    var row = String(decoding: batch.bytes[r], as: UTF8.self)
                    if let t = row.range(of: #""event_time":"[^"]*""#, options: .regularExpression), let time = rewrite(k, row) {
                        row.replaceSubrange(t, with: #""event_time":""# + time + "\"")
                    }
                    fixed.append(row: row)
                }
                out.rows[table] = fixed
            }
            return out
        }
    }

    /// Each row one month past the previous one: our encoders refuse an `event_time` outside the tables' TTL window, so a
    /// batch spanning >100 monthly partitions (ClickHouse code 252) cannot come from valid messages any more.
    static func spreadAcrossMonths<H: BatchHandler>(_ inner: H, from startMillis: Int64) -> RewritingEventTime<H> {
        RewritingEventTime(inner: inner) { k, _ in
            Timestamp(nanosSinceEpoch: (startMillis + Int64(k) * 31 * 86_400_000) * 1_000_000).clickHouseDateTime64
        }
    }

    /// Rows containing `marker` get an `event_time` ClickHouse cannot parse (code 41).
    static func unparseableTime<H: BatchHandler>(_ inner: H, marker: String) -> RewritingEventTime<H> {
        RewritingEventTime(inner: inner) { _, row in row.contains(marker) ? "not a time" : nil }
    }

    func testABatchSpanningMoreThanAHundredPartitionsIsSplitByPartitionAndStored() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_parts")
        try await h.publish((0..<131).map { OutgoingMessage(subject: "market.trades.PRT-USDT", text: trade("PRT-USDT", id: $0, time: now)) })
        let (c, _) = try await ingest(h, ConsumerCatalog.trades, filter: "market.trades.PRT-USDT",
                                      handler: Self.spreadAcrossMonths(EncoderHandler(TradeRowEncoder()), from: now), batchSize: 200)
        XCTAssertEqual(c.rowsInserted, 131, "all valid trades are stored despite ClickHouse's partition limit")
        XCTAssertEqual(c.deadLettered, 0)
        let n6 = try await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'PRT-USDT'")
        XCTAssertEqual(n6, 131)
        let n7 = try await h.count("SELECT uniqExact(toYYYYMM(event_time)) FROM trades WHERE symbol = 'PRT-USDT'")
        XCTAssertGreaterThan(n7, 100)
        // The market handler's rows (book windows) span >100 partitions too.
        var book = [l2("PRB-USDT", type: "snapshot", first: 100, last: 100, ms: now - 130_000)]
        for i in 1...120 { book.append(l2("PRB-USDT", type: "delta", first: 100 + Int64(i), last: 100 + Int64(i), ms: now - 130_000 + Int64(i) * 1_000, bid: Double(i))) }
        try await h.publish(book.map { OutgoingMessage(subject: "market.l2raw.PRB-USDT", text: $0) })
        let (m, _) = try await ingest(h, ConsumerCatalog.market, filter: "market.l2raw.PRB-USDT",
                                      handler: Self.spreadAcrossMonths(try MarketHandler(), from: now), batchSize: 200)
        XCTAssertEqual(m.deadLettered, 0)
        let n8 = try await h.count("SELECT uniqExact(toYYYYMM(event_time)) FROM book_topn WHERE symbol = 'PRB-USDT'")
        XCTAssertGreaterThan(n8, 100)
        await h.close()
    }

    func ingest<H: BatchHandler>(_ h: PipelineHarness, _ base: ConsumerDefinition, filter: String, handler: H, maxDeliver: Int = 5,
                                 batchSize: Int = 100) async throws -> (IngestCounts, String) {
        var def = h.definition(base, filter: filter, batchSize: batchSize)
        def.maxDeliver = maxDeliver
        let consumer = try await h.js.pullConsumer(def.consumerSpec)
        let stats = IngestStats()
        let ingestor = StreamIngestor(name: base.name, consumer: consumer, clickHouse: h.clickHouse, handler: handler, policy: def.policy, stats: stats,
                                      backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(200)))
        let started = ContinuousClock.now
        try await ingestor.run(stopWhenIdle: 3)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(60))
        return (stats.snapshot, def.durable)
    }

    func testRowsClickHouseCannotParseAreDeadLetteredAndTheRestOfTheBatchIsStored() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_parse")
        // trades (a stateless encoder)
        var msgs = (0..<20).map { OutgoingMessage(subject: "market.trades.PAR-USDT", text: trade("PAR-USDT", id: $0, time: now, exchange: $0 == 7 || $0 == 13 ? "POISONX" : "sim")) }
        // social (scored per symbol, so it could not split a batch before)
        msgs += (0..<20).map { OutgoingMessage(subject: "social.raw.reddit", text: #"{"event_id":"pa\#($0)","event_time":\#(now),"source":"reddit","symbol":"PAR-USDT","text":"\#($0 == 5 ? "POISONX" : "calm") day"}"#) }
        // market (windows of a stateful normaliser): one symbol's rows are refused, the other's stored
        let t0 = now - 20_000
        for sym in ["PAM-USDT", "PAX-USDT"] {
            let ex = sym == "PAX-USDT" ? "POISONX" : "sim"
            msgs.append(OutgoingMessage(subject: "market.l2raw.\(sym)", text: l2(sym, type: "snapshot", first: 100, last: 100, ms: t0, exchange: ex)))
            for i in 1...5 { msgs.append(OutgoingMessage(subject: "market.l2raw.\(sym)", text: l2(sym, type: "delta", first: 100 + Int64(i), last: 100 + Int64(i), ms: t0 + Int64(i) * 200, exchange: ex, bid: Double(i)))) }
        }
        try await h.publish(msgs)

        let (t, _) = try await ingest(h, ConsumerCatalog.trades, filter: "market.trades.PAR-USDT", handler: Self.unparseableTime(EncoderHandler(TradeRowEncoder()), marker: "POISONX"))
        XCTAssertEqual(t.rowsInserted, 18)
        XCTAssertEqual(t.deadLettered, 2)
        let n9 = try await h.count("SELECT count() FROM trades FINAL WHERE symbol = 'PAR-USDT'")
        XCTAssertEqual(n9, 18)
        let tradeDead = try await h.deadLetters(consumer: "trades")
        XCTAssertEqual(tradeDead.count, 2)
        XCTAssertTrue(tradeDead.allSatisfy { $0.field == "event_time" && $0.reason.contains("ClickHouse error") }, "\(tradeDead)")

        let social = SocialHandler(provider: try LexiconSentimentProvider.bundled(), fallback: nil, scrubber: PIIScrubber(salt: "poison"))
        let (s, _) = try await ingest(h, ConsumerCatalog.social, filter: "social.raw.reddit", handler: Self.unparseableTime(social, marker: "POISONX"))
        XCTAssertEqual(s.rowsInserted, 19)
        XCTAssertEqual(s.deadLettered, 1)
        let n10 = try await h.count("SELECT count() FROM social_buzz FINAL WHERE startsWith(event_id, 'pa')")
        XCTAssertEqual(n10, 19)

        let (m, durable) = try await ingest(h, ConsumerCatalog.market, filter: "market.l2raw.>", handler: Self.unparseableTime(try MarketHandler(), marker: "POISONX"))
        XCTAssertGreaterThan(m.deadLettered, 0, "the refused symbol's inputs are dead-lettered")
        let n11 = try await h.count("SELECT count() FROM book_topn FINAL WHERE symbol = 'PAM-USDT'")
        XCTAssertGreaterThan(n11, 0)
        let n12 = try await h.count("SELECT count() FROM book_topn FINAL WHERE symbol = 'PAX-USDT'")
        XCTAssertEqual(n12, 0)
        let state = try await h.js.consumerState(stream: "MARKET_L2_RAW", durable: durable)
        XCTAssertEqual(state.numAckPending, 0)
        await h.close()
    }

    /// A handler that fails for messages containing `marker`, as a provider failing on one input would.
    struct FailsOn<H: BatchHandler>: BatchHandler {
        let inner: H
        let marker: String

        func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
            if messages.contains(where: { String(decoding: $0.payload, as: UTF8.self).contains(marker) }) {
                throw ValidationError(field: "$", message: "provider failed on this input")
            }
            return try await inner.handle(messages)
        }
    }

    func testAFailureThatNeverClearsEndsInTheDLQAfterMaxDeliverAttempts() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_retry")
        var msgs = (0..<6).map { OutgoingMessage(subject: "market.trades.RTY-USDT", text: trade("RTY-USDT", id: $0, time: now)) }
        msgs.insert(OutgoingMessage(subject: "market.trades.RTY-USDT", text: trade("RTY-USDT", id: 99, time: now, exchange: "NEVERX")), at: 3)
        try await h.publish(msgs)
        let (c, durable) = try await ingest(h, ConsumerCatalog.trades, filter: "market.trades.RTY-USDT",
                                             handler: FailsOn(inner: EncoderHandler(TradeRowEncoder()), marker: "NEVERX"), maxDeliver: 3)
        XCTAssertEqual(c.rowsInserted, 6)
        XCTAssertEqual(c.deadLettered, 1)
        let dead = try await h.deadLetters(consumer: "trades")
        XCTAssertEqual(dead.count, 1)
        XCTAssertTrue(dead[0].reason.contains("after 3 attempt"), dead[0].reason)
        XCTAssertTrue(dead[0].reason.contains("provider failed on this input"), dead[0].reason)
        let s = try await h.js.consumerState(stream: "MARKET_TRADES", durable: durable)
        XCTAssertEqual(s.numAckPending, 0)
        await h.close()
    }

    func testAMessageOnItsLastDeliveryGetsOneAttemptAndIsDeadLetteredNotDropped() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "p_last")
        try await h.publish([OutgoingMessage(subject: "market.trades.LST-USDT", text: trade("LST-USDT", id: 1, time: now, exchange: "NEVERX")),
                             OutgoingMessage(subject: "market.trades.LST-USDT", text: trade("LST-USDT", id: 2, time: now))])
        var def = h.definition(ConsumerCatalog.trades, filter: "market.trades.LST-USDT", batchSize: 10)
        def.maxDeliver = 3
        def.ackWait = .seconds(1)
        // Two deliveries that a crashed pipeline never answered.
        let raw = try await h.js.pullConsumer(def.consumerSpec)
        for _ in 0..<2 {
            var got: [JetStreamMessage] = []
            for _ in 0..<10 where got.count < 2 { got += try await raw.fetch(batch: 2 - got.count, maxWait: .seconds(2)) }
            XCTAssertEqual(got.count, 2)
            try await Task.sleep(for: .milliseconds(1300))
        }
        let stats = IngestStats()
        let ingestor = StreamIngestor(name: "trades", consumer: try await h.js.pullConsumer(def.consumerSpec), clickHouse: h.clickHouse,
                                      handler: FailsOn(inner: EncoderHandler(TradeRowEncoder()), marker: "NEVERX"), policy: def.policy, stats: stats,
                                      backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(100)))
        try await ingestor.run(stopWhenIdle: 3)
        XCTAssertEqual(stats.snapshot.deadLettered, 1)
        XCTAssertEqual(stats.snapshot.rowsInserted, 1)
        let dead = try await h.deadLetters(consumer: "trades")
        XCTAssertEqual(dead.count, 1)
        XCTAssertTrue(dead[0].reason.contains("attempt(s) (delivery 3 of at most 3)"), dead[0].reason)
        XCTAssertTrue(dead[0].reason.contains("could not be handled after"), dead[0].reason)
        let rows = try await h.clickHouse.rows("SELECT headers FROM dead_letters FINAL WHERE consumer = 'trades'")
        guard case .string(let headers)? = rows.first?["headers"] else { return XCTFail("no dead_letters row") }
        XCTAssertTrue(headers.contains("\"Rs-Dlq-Deliveries\":\"3\""), headers)
        await h.close()
    }
}
