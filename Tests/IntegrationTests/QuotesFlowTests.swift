import ClickHouse
import JetStream
import Pipeline
import Replay
import ScenarioRun
import RiskSignalCore
import XCTest

/// Quotes end to end on the real stack: a replayed capture's `market.quotes` into the `quotes` table, one row per
/// message in MARKET_QUOTES (a bad quote is in `PoisonMessageTests`).
final class QuotesFlowTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "quotes") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    func testAReplayedCapturesQuotesAreStoredOneRowPerMessage() async throws {
        // Coinbase's feed via cryptofeed: ticker quotes whose exchange times follow the capture's clock, so the replay
        // moves them to now like the rest (the loopback pcap's payloads are years older than its packets).
        let capture = TestStack.projectRoot + "/fixtures/coinbase/coinbase-l2update-20210417.cryptofeed.txt.zst"
        try XCTSkipUnless(FileManager.default.fileExists(atPath: capture), "fixture \(capture) is missing")
        let h = try await PipelineHarness.make(Self.stack, database: "q_replay")
        var options = ReplayOptions()
        options.topSpeed = true
        var runner = ReplayRunner(path: capture, options: options, projectRoot: TestStack.projectRoot, output: { _ in })
        runner.natsURL = Self.stack.stack.config.natsURL
        let outcome = try await runner.run()
        XCTAssertEqual(outcome.counts.failed, 0)

        let counts = try await h.runUntilIdle([h.definition(ConsumerCatalog.quotes, filter: "market.quotes.>", batchSize: 100)])
        let inStream = try await h.js.streamState(StreamCatalog.marketQuotes.name).messages
        XCTAssertEqual(inStream, 107, "the capture's 107 Coinbase ticker quotes (as the adapter test counts them)")
        let dead = try await h.deadLetters(consumer: "quotes")
        XCTAssertEqual(dead.map(\.reason), [], "every replayed quote is valid")
        XCTAssertEqual(counts["quotes"]?.rowsInserted, inStream)
        let rows = try await h.count("SELECT count() FROM quotes FINAL")
        XCTAssertEqual(rows, Int64(inStream), "one row per quote: quotes sharing a millisecond are not collapsed")
        let sane = try await h.count("SELECT count() FROM quotes FINAL WHERE bid_price > 0 AND ask_price >= bid_price AND intended_at > toDateTime64(0, 6)")
        XCTAssertEqual(sane, rows)
        await h.close()
    }

    /// `--quote-spread-alerts`: a feed with quotes and no book still gets `spread_blowout`; off by default, so a
    /// symbol with a book as well is not alerted twice.
    func testTheSpreadRuleRunsOnQuotesOnlyWhenAskedTo() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "q_spread")
        let t0 = Timestamp.now().nanosSinceEpoch / 1_000_000 - 40_000
        func quote(_ symbol: String, _ i: Int, ask: Double) -> OutgoingMessage {
            OutgoingMessage(subject: "market.quotes.\(symbol)", text: #"{"symbol":"\#(symbol)","exchange":"sim","event_time":\#(t0 + Int64(i) * 1000),"bid_price":100,"bid_size":2,"ask_price":\#(ask),"ask_size":3}"#)
        }
        for symbol in ["QSA-USDT", "QSB-USDT"] {
            try await h.publish((0..<30).map { quote(symbol, $0, ask: 100.1) } + [quote(symbol, 31, ask: 101)])  // 10× the usual spread
        }
        _ = try await h.runUntilIdle([h.definition(ConsumerCatalog.quotes, filter: "market.quotes.QSA-USDT", batchSize: 100)]) { $0.quoteSpreadAlerts = true }
        _ = try await h.runUntilIdle([h.definition(ConsumerCatalog.quotes, filter: "market.quotes.QSB-USDT", batchSize: 100)])
        let raised = try await h.count("SELECT count() FROM alerts_history FINAL WHERE rule = 'spread_blowout' AND status = 'raised' AND key = 'QSA-USDT'")
        XCTAssertEqual(raised, 1, "the widened quote raised spread_blowout")
        let off = try await h.count("SELECT count() FROM alerts_history FINAL WHERE key = 'QSB-USDT'")
        XCTAssertEqual(off, 0, "without the flag, quotes raise nothing")
        let rows = try await h.count("SELECT count() FROM quotes FINAL")
        XCTAssertEqual(rows, 62, "and every quote is stored either way")
        await h.close()
    }
}
