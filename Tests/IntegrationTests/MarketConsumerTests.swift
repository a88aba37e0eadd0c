import ClickHouse
import Foundation
import JetStream
import MarketData
import Pipeline
import RiskSignalCore
import XCTest

/// The market normaliser on the real stack: windows, top-N snapshots, and a deliberate sequence gap.
final class MarketConsumerTests: XCTestCase {
    nonisolated(unsafe) static var stack: TestStack!

    override class func setUp() {
        do { stack = try TestStack(name: "market") } catch { fatalError("cannot start the local stack: \(error)") }
    }

    override class func tearDown() { stack?.stop() }

    /// A recorded-style feed: snapshot, deltas, and an independent reference book.
    struct Feed {
        var messages: [OutgoingMessage] = []
        var book: (bids: [Double: Double], asks: [Double: Double]) = ([:], [:])
        var rng = SplitMix64(seed: 11)
        let symbol = "MKT-USDT"
        var lastID: Int64 = 0

        mutating func snapshot(id: Int64, at ms: Int64) {
            book = ([:], [:])
            for k in 1...20 {
                book.bids[100 - Double(k) * 0.01] = Double(k)
                book.asks[100 + Double(k) * 0.01] = Double(k)
            }
            lastID = id
            messages.append(message("snapshot", first: id, last: id, ms: ms, bids: book.bids.map { ($0.key, $0.value) }, asks: book.asks.map { ($0.key, $0.value) }))
        }

        /// A delta; `apply` false leaves the reference book alone (a delta the normaliser must skip).
        mutating func delta(at ms: Int64, skipID: Bool = false, apply: Bool = true) {
            let first = lastID + (skipID ? 2 : 1)
            let last = first + Int64(rng.next() % 2)
            lastID = last
            var bids: [(Double, Double)] = [], asks: [(Double, Double)] = []
            for _ in 0..<3 {
                let k = 1 + Double(rng.next() % 12)
                let qty = rng.next() % 4 == 0 ? 0 : Double(1 + rng.next() % 50)
                if rng.next() % 2 == 0 { bids.append((100 - k * 0.01, qty)) } else { asks.append((100 + k * 0.01, qty)) }
            }
            if apply {
                for (p, q) in bids { book.bids[p] = q == 0 ? nil : q }
                for (p, q) in asks { book.asks[p] = q == 0 ? nil : q }
            }
            messages.append(message("delta", first: first, last: last, ms: ms, bids: bids, asks: asks))
        }

        func message(_ type: String, first: Int64, last: Int64, ms: Int64, bids: [(Double, Double)], asks: [(Double, Double)]) -> OutgoingMessage {
            func levels(_ l: [(Double, Double)]) -> String { l.map { "[\"\(String(format: "%.2f", $0.0))\",\($0.1)]" }.joined(separator: ",") }
            return OutgoingMessage(subject: "market.l2raw.\(symbol)",
                                   text: #"{"symbol":"\#(symbol)","exchange":"sim","type":"\#(type)","event_time":\#(ms),"first_update_id":\#(first),"last_update_id":\#(last),"bids":[\#(levels(bids))],"asks":[\#(levels(asks))]}"#)
        }

        func top(_ n: Int) -> (bids: [[Double]], asks: [[Double]]) {
            (book.bids.sorted { $0.key > $1.key }.prefix(n).map { [($0.key * 100).rounded() / 100, $0.value] },
             book.asks.sorted { $0.key < $1.key }.prefix(n).map { [($0.key * 100).rounded() / 100, $0.value] })
        }
    }

    func testWindowsSnapshotsAndAGapThatForcesAResync() async throws {
        let h = try await PipelineHarness.make(Self.stack, database: "c_market")
        let t0 = (Timestamp.now().nanosSinceEpoch / 1_000_000 / 1000) * 1000
        var feed = Feed()
        feed.snapshot(id: 100, at: t0)
        for i in 0..<55 { feed.delta(at: t0 + 5 + Int64(i) * 20) }            // windows 0..10
        let beforeGap = feed.top(10)
        for i in 55..<60 { feed.delta(at: t0 + 5 + Int64(i) * 20) }           // window 11, still open when the gap comes
        feed.delta(at: t0 + 1300, skipID: true, apply: false)                 // the gap
        for i in 0..<10 { feed.delta(at: t0 + 1320 + Int64(i) * 20, apply: false) }  // built on a broken book: must be skipped
        feed.snapshot(id: feed.lastID + 50, at: t0 + 2000)                     // resync
        for i in 0..<10 { feed.delta(at: t0 + 2005 + Int64(i) * 30) }
        try await h.publish(feed.messages)

        let def = h.definition(ConsumerCatalog.market, filter: "market.l2raw.MKT-USDT", batchSize: 500)
        let consumer = try await h.js.pullConsumer(def.consumerSpec)
        let handler = try MarketHandler(config: NormalizerConfig(topN: 10, window: .milliseconds(100), snapshotThreshold: 0))
        let ingestor = StreamIngestor(name: "market", consumer: consumer, clickHouse: h.clickHouse, handler: handler, policy: def.policy)
        try await ingestor.run(stopWhenIdle: 3)

        let counters = await handler.counters(for: "MKT-USDT")
        XCTAssertEqual(counters.gaps, 1)
        XCTAssertEqual(counters.skippedWhileResyncing, 10)
        let state = try await consumer.state()
        XCTAssertEqual(state.numPending, 0)
        XCTAssertEqual(state.numAckPending, 0, "every raw message is acked once its window is stored (or it was skipped)")

        // No row may come from the broken book: nothing between the gap and the resync snapshot.
        let broken = try await h.count("SELECT count() FROM book_topn WHERE symbol = 'MKT-USDT' AND event_time > fromUnixTimestamp64Milli(\(t0 + 1299)) AND event_time < fromUnixTimestamp64Milli(\(t0 + 2000))")
        XCTAssertEqual(broken, 0)
        // The window open when the gap came may be missing updates, so it is dropped with the book:
        // 11 windows before the gap and 3 after the resync, each one delta row.
        XCTAssertEqual(counters.discardedByResync, 5)
        let deltas = try await h.count("SELECT count() FROM book_topn FINAL WHERE symbol = 'MKT-USDT' AND update_type = 'delta'")
        XCTAssertEqual(deltas, 14)
        // The last top-N before the gap matches a book rebuilt independently from the same feed.
        let lastBefore = try await h.clickHouse.rows("SELECT bids, asks FROM book_topn FINAL WHERE symbol = 'MKT-USDT' AND update_type = 'snapshot' AND event_time < fromUnixTimestamp64Milli(\(t0 + 1300)) ORDER BY event_time DESC LIMIT 1")
        XCTAssertEqual(lastBefore.first?["bids"], Self.json(beforeGap.bids))
        XCTAssertEqual(lastBefore.first?["asks"], Self.json(beforeGap.asks))
        // And after the resync, the final top-N matches too.
        let final = feed.top(10)
        let last = try await h.clickHouse.rows("SELECT bids, asks FROM book_topn FINAL WHERE symbol = 'MKT-USDT' AND update_type = 'snapshot' ORDER BY event_time DESC, length(metadata) DESC LIMIT 1")
        XCTAssertEqual(last.first?["bids"], Self.json(final.bids))
        XCTAssertEqual(last.first?["asks"], Self.json(final.asks))
        // Windows are also published, normalised, to market.l2.<symbol>.
        let published = try await h.js.streamState("MARKET_L2").messages
        XCTAssertGreaterThanOrEqual(published, 15)
        await h.close()
    }

    static func json(_ levels: [[Double]]) -> JSONValue {
        .array(levels.map { .array($0.map { $0 == $0.rounded() && abs($0) < 1e15 ? .int(Int64($0)) : .double($0) }) })
    }
}
