import Foundation
import MarketData
import Testing
import Zstd
@testable import FeedAdapters

@Suite struct CoinbaseAdapterTests {
    /// The whole 31-second recording (see fixtures/README.md), zstd-compressed.
    static let capture = Fixture.root.appendingPathComponent("coinbase/coinbase-l2update-20210417.cryptofeed.txt.zst")

    /// Received messages of the cryptofeed v1 text capture: `<ts>: <json>` lines (connect/sent lines start with the URL).
    static func received() throws -> [(Int64, [UInt8])] {
        let data = Data(try Zstd.decompress(try Data(contentsOf: capture)))
        var out: [(Int64, [UInt8])] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where line.first != UInt8(ascii: "w") {
            let bytes = Array(line)
            guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let ts = Double(String(decoding: bytes[..<colon], as: UTF8.self))!
            out.append((Int64(ts * 1e9), Array(bytes[(colon + 2)...])))
        }
        return out
    }

    /// The capture is committed (fixtures/README.md: what a fresh clone must pass on), so a missing file
    /// fails here, naming the path, rather than being skipped.
    @Test func realCaptureCountsAndBooks() throws {
        var adapter = CoinbaseAdapter()
        var replay = Replay()
        for (ts, message) in try Self.received() { replay.feed(&adapter, message, receivedNanos: ts) }

        // Independently: python3 json.loads of each `<ts>: <json>` line, Counter(d['type']); and PROVENANCE.md.
        #expect(replay.errors.isEmpty, "\(replay.errors.prefix(3))")
        #expect(adapter.counts == ["l2update": 9719, "snapshot": 10, "match": 97, "last_match": 10, "ticker": 107, "subscriptions": 3])
        #expect(replay.bookEvents.count == 9729)
        #expect(replay.trades.count == 107)
        #expect(replay.quotes.count == 107)
        #expect(Set(replay.bookEvents.map(\.symbol)).count == 10)
        #expect(replay.gaps.isEmpty)
        #expect(replay.stale == 0)
        let totals = replay.normalizer.totalCounters
        #expect(totals.updates == 9729)
        #expect(totals.crossedBooks == 0)
        for symbol in replay.normalizer.symbols {
            #expect(replay.normalizer.status(of: symbol) == .live, "\(symbol)")
            #expect(replay.normalizer.book(for: symbol)?.isCrossed == false, "\(symbol)")
            #expect(replay.books[symbol]?.isCrossed == false, "\(symbol)")
        }
        // Taker side is the opposite of Coinbase's maker `side`: the first match is side "sell" → taker BUY.
        let first = try #require(replay.trades.first { $0.tradeId == 280232 })
        #expect(first.side == .buy)
        #expect(first.symbol == "SKL-BTC")
        #expect(first.price == 0.00001305)
        #expect(first.eventTimeNanos == 1_618_677_817_089_723_000)
    }

    @Test func synthesisedIdsChainPerSymbol() throws {
        var adapter = CoinbaseAdapter()
        let snap = Array(#"{"type":"snapshot","product_id":"btc-usd","bids":[["100.0","1"]],"asks":[["101","2"]]}"#.utf8)
        let upd = Array(#"{"type":"l2update","product_id":"BTC-USD","changes":[["buy","100.5","3"],["sell","101","0"]],"time":"2021-04-17T16:43:37.089723Z"}"#.utf8)
        guard case .book(let s) = try adapter.adapt(snap, receivedNanos: 5).first,
              case .book(let d) = try adapter.adapt(upd, receivedNanos: 6).first else { Issue.record("expected books"); return }
        #expect(s.symbol == "BTC-USD" && s.kind == .snapshot && s.firstUpdateId == 1 && s.eventTimeNanos == 5)
        #expect(d.kind == .delta && d.firstUpdateId == 2 && d.lastUpdateId == 2)
        #expect(d.bids == [PriceLevel(price: 100.5, quantity: 3)] && d.asks == [PriceLevel(price: 101, quantity: 0)])
    }

    @Test func malformedNamesTheField() {
        var adapter = CoinbaseAdapter()
        #expect(throws: AdapterError(reason: .malformed, field: "changes", message: "required field is missing")) {
            _ = try adapter.adapt(Array(#"{"type":"l2update","product_id":"BTC-USD","time":"2021-04-17T16:43:37Z"}"#.utf8), receivedNanos: 0)
        }
        do {
            _ = try adapter.adapt(Array(#"{"type":"l2update","product_id":"BTC-USD","changes":[["hold","1","1"]],"time":"2021-04-17T16:43:37Z"}"#.utf8), receivedNanos: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "changes[0][0]")
            #expect(error.message.contains("\"buy\" or \"sell\""))
        }
        do {
            _ = try adapter.adapt(Array(#"{"type":"done","product_id":"BTC-USD"}"#.utf8), receivedNanos: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == .unknownKind && error.field == "type")
        }
        #expect(adapter.counts.isEmpty)
    }
}
