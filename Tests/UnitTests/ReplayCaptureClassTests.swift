import Capture
import FeedAdapters
import Foundation
import MarketData
import Replay
import Testing

private let exchanges = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fixtures/exchanges").path

private func recording(_ name: String, _ lines: [String]) -> String {
    let p = NSTemporaryDirectory() + "replay-class-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-" + name
    let text = lines.enumerated().map { "\(1_700_000_000_000_000_000 + Int64($0.offset) * 1_000_000) \($0.element)" }.joined(separator: "\n") + "\n"
    FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
    return p
}

/// The loaded items' book events through `BookNormalizer`, as the market consumer would see them (the adapter-level
/// equivalent of `book_topn`): gaps and the final books.
private struct Books {
    var normalizer = try! BookNormalizer()
    var gaps: [String] = []
    var snapshots = 0

    init(_ items: [ReplayItem]) {
        for (k, item) in items.enumerated() {
            guard case .market(.book(let u)) = item.body else { continue }
            if u.kind == .snapshot { snapshots += 1 }
            for e in normalizer.ingest(u, tag: UInt64(k)) {
                if case .gap(let s, let expected, let got) = e { gaps.append("\(s): expected \(expected), got \(got)") }
            }
        }
    }
}

@Suite("Replay: Binance REST snapshots inside recordings")
struct BinanceRestSnapshotReplayTests {
    @Test func spotSnapshotsPlacedByTheLoggedRequestLineSyncTheBooks() throws {
        // fixtures/exchanges/binance-spot-rest-snapshot.log.gz: `<ns> <json>`, gzip, two symbols, each bare snapshot
        // after the request line the recorder logged, diffs before and after, a trade and a kline.
        let (items, r) = try CaptureLoader(options: ReplayOptions()).load(path: exchanges + "/binance-spot-rest-snapshot.log.gz")
        #expect(r.format == .binance)
        #expect(r.problemCount == 0, "\(r)")
        #expect(r.unsyncedCount == 0, "\(r)")
        #expect(r.sourceKinds["snapshot"] == 2 && r.sourceKinds["depthUpdate"] == 6)
        #expect(r.unsupported == ["kline": 1, "subscription_ack": 1])
        let books = Books(items)
        #expect(books.gaps.isEmpty, "\(books.gaps)")
        #expect(books.snapshots == 2)
        #expect(books.normalizer.status(of: "BTC-USDT") == .live)
        #expect(books.normalizer.lastUpdateId(of: "BTC-USDT") == 405)
        let btc = try #require(books.normalizer.book(for: "BTC-USDT"))
        #expect(btc.topBids(5) == [PriceLevel(price: 37000, quantity: 2.5)])
        #expect(btc.topAsks(5) == [PriceLevel(price: 37001, quantity: 4), PriceLevel(price: 37001.5, quantity: 1)])
        #expect(books.normalizer.lastUpdateId(of: "ETH-USDT") == 7006)
        let eth = try #require(books.normalizer.book(for: "ETH-USDT"))
        #expect(eth.topBids(5) == [PriceLevel(price: 2000, quantity: 2)] && eth.topAsks(5) == [PriceLevel(price: 2000.1, quantity: 4)])
        // Each snapshot comes before the diffs not older than it: BTC's where it was logged, ETH's moved before the
        // 7001…7003 diff the stream delivered before the REST response (Binance's buffering rule).
        let kinds = items.compactMap { item -> String? in
            guard case .market(.book(let u)) = item.body else { return nil }
            return "\(u.symbol):\(u.kind == .snapshot ? "S" : "d")\(u.lastUpdateId)"
        }
        #expect(kinds == ["BTC-USDT:d399", "ETH-USDT:S7002", "ETH-USDT:d7003", "BTC-USDT:S400", "BTC-USDT:d402", "ETH-USDT:d7005", "BTC-USDT:d405", "ETH-USDT:d7006"])
    }

    @Test func futuresSnapshotPlacedByTheDiffsChainsOnPu() throws {
        // fixtures/exchanges/binance-futures-rest-snapshot.log: a bare futures snapshot (E, T), no request line;
        // the one symbol whose first diff not older than it straddles it (U <= lastUpdateId <= u) owns it.
        let (items, r) = try CaptureLoader(options: ReplayOptions()).load(path: exchanges + "/binance-futures-rest-snapshot.log")
        #expect(r.format == .binanceFutures)
        #expect(r.problemCount == 0 && r.unsyncedCount == 0, "\(r)")
        #expect(r.unsupported == ["markPriceUpdate": 1])
        let books = Books(items)
        #expect(books.gaps.isEmpty, "\(books.gaps)")
        #expect(books.normalizer.lastUpdateId(of: "BTC-USDT") == 1020)
        #expect(books.normalizer.counters(for: "BTC-USDT").stale == 1)
        let book = try #require(books.normalizer.book(for: "BTC-USDT"))
        #expect(book.topBids(5) == [PriceLevel(price: 37010, quantity: 1.8)])
        #expect(book.topAsks(5) == [PriceLevel(price: 37010.2, quantity: 0.4), PriceLevel(price: 37010.5, quantity: 1)])
        // Futures snapshots carry their own time (E).
        let snapshot = items.compactMap { item -> L2Update? in if case .market(.book(let u)) = item.body, u.kind == .snapshot { u } else { nil } }.first
        #expect(snapshot?.eventTimeNanos == 1_700_000_000_105_000_000)
    }

    @Test func futuresFirstDiffChainingOntoTheSnapshotIdIsNoGap() throws {
        // The diff ending exactly at lastUpdateId is dropped; the next one's pu equals it, and its U jumps (futures ids
        // are not contiguous): in sync by pu chaining.
        let path = recording("fut-chain.log", [
            #"{"lastUpdateId":1000,"E":1700000000105,"T":1700000000104,"bids":[["10","1"]],"asks":[["11","1"]]}"#,
            #"{"e":"depthUpdate","E":1700000000110,"T":1,"s":"ETHUSDT","U":995,"u":1000,"pu":990,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","E":1700000000120,"T":1,"s":"ETHUSDT","U":1005,"u":1010,"pu":1000,"b":[["10","2"]],"a":[]}"#,
        ])
        var o = ReplayOptions()
        o.format = "binance-futures"
        let (items, r) = try CaptureLoader(options: o).load(path: path)
        #expect(r.unsyncedCount == 0, "\(r)")
        let books = Books(items)
        #expect(books.gaps.isEmpty, "\(books.gaps)")
        #expect(books.normalizer.lastUpdateId(of: "ETH-USDT") == 1010)
    }

    @Test func snapshotLoggedAfterDiffsNewerThanItIsAppliedFirst() throws {
        // The REST response arrives after the stream already delivered the straddling diff (Binance: buffer the
        // diffs, fetch the snapshot, apply those not older than it): the book syncs, no false gap.
        let path = recording("buffered.log", [
            "GET /api/v3/depth?symbol=BTCUSDT&limit=1000",
            #"{"e":"depthUpdate","E":1700000000010,"s":"BTCUSDT","U":95,"u":99,"b":[["100","9"]],"a":[]}"#,
            #"{"e":"depthUpdate","E":1700000000020,"s":"BTCUSDT","U":100,"u":105,"b":[["100","2"]],"a":[]}"#,
            #"{"e":"depthUpdate","E":1700000000030,"s":"BTCUSDT","U":106,"u":108,"b":[],"a":[["101","3"]]}"#,
            #"{"lastUpdateId":103,"bids":[["100","1"]],"asks":[["101","1"]]}"#,
            #"{"e":"depthUpdate","E":1700000000040,"s":"BTCUSDT","U":109,"u":110,"b":[["99","4"]],"a":[]}"#,
        ])
        var o = ReplayOptions()
        o.format = "binance"
        let (items, r) = try CaptureLoader(options: o).load(path: path)
        #expect(r.unsyncedCount == 0 && r.problemCount == 0, "\(r)")
        let books = Books(items)
        #expect(books.gaps.isEmpty, "\(books.gaps)")
        #expect(books.normalizer.lastUpdateId(of: "BTC-USDT") == 110)
        let book = try #require(books.normalizer.book(for: "BTC-USDT"))
        #expect(book.topBids(5) == [PriceLevel(price: 100, quantity: 2), PriceLevel(price: 99, quantity: 4)])
        #expect(book.topAsks(5) == [PriceLevel(price: 101, quantity: 3)])
        // The moved snapshot takes the receive time of the first diff it now precedes, so time order keeps it there.
        let times = items.map(\.timeNanos)
        #expect(times == times.sorted())
    }

    @Test func snapshotPlacedByADiffBufferedBeforeIt() throws {
        // No request line, two symbols: ETHUSDT's diff delivered before the snapshot straddles it, BTCUSDT's do not.
        let path = recording("buffered-two.log", [
            #"{"e":"depthUpdate","E":1700000000010,"s":"BTCUSDT","U":500,"u":510,"b":[["37000","1"]],"a":[]}"#,
            #"{"e":"depthUpdate","E":1700000000011,"s":"ETHUSDT","U":100,"u":105,"b":[["2000","2"]],"a":[]}"#,
            #"{"lastUpdateId":103,"bids":[["2000","1"]],"asks":[["2001","1"]]}"#,
            #"{"e":"depthUpdate","E":1700000000020,"s":"BTCUSDT","U":511,"u":520,"b":[],"a":[]}"#,
            #"{"e":"depthUpdate","E":1700000000021,"s":"ETHUSDT","U":106,"u":107,"b":[],"a":[["2001","5"]]}"#,
        ])
        var o = ReplayOptions()
        o.format = "binance"
        let (items, r) = try CaptureLoader(options: o).load(path: path)
        #expect(r.unsyncedCount == 0, "\(r)")
        let books = Books(items)
        #expect(books.gaps.isEmpty, "\(books.gaps)")
        #expect(books.normalizer.lastUpdateId(of: "ETH-USDT") == 107)
        #expect(books.normalizer.status(of: "BTC-USDT") == .awaitingSnapshot)
    }

    @Test func symbolFromTheOptionAndFromTheFileName() throws {
        let lines = [
            #"{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}"#,
            #"{"e":"depthUpdate","E":1672515782236,"s":"BNBBTC","U":157,"u":163,"b":[["0.0024","12"]],"a":[]}"#,
            #"{"e":"depthUpdate","E":1672515782236,"s":"ETHBTC","U":150,"u":170,"b":[["0.05","12"]],"a":[]}"#,
        ]
        // Two symbols' diffs both straddle: ambiguous from the diffs alone, so the option decides.
        var o = ReplayOptions()
        o.symbol = "BNBBTC"
        let (items, r) = try CaptureLoader(options: o).load(path: recording("ambiguous.log", lines))
        #expect(r.unsyncedCount == 0, "\(r)")
        #expect(Books(items).normalizer.lastUpdateId(of: "BNB-BTC") == 163)
        // The file name names it.
        let named = recording("binance_BNBBTC_depth_20240101.log", lines)
        let (items2, r2) = try CaptureLoader(options: ReplayOptions()).load(path: named)
        #expect(r2.unsyncedCount == 0, "\(r2)")
        #expect(Books(items2).normalizer.lastUpdateId(of: "BNB-BTC") == 163)
        // A bad --symbol is an option error, not a silent skip.
        o.symbol = "NOTASYMBOL"
        #expect(throws: ReplayError.self) { try CaptureLoader(options: o).load(path: named) }
    }

    @Test func undeterminedSymbolIsReportedByLineAndTheBookStaysUnsynced() throws {
        let lines = [
            #"{"result":null,"id":1}"#,
            #"{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}"#,
            #"{"e":"depthUpdate","E":1672515782236,"s":"BNBBTC","U":157,"u":163,"b":[["0.0024","12"]],"a":[]}"#,
            #"{"e":"depthUpdate","E":1672515782236,"s":"ETHBTC","U":150,"u":170,"b":[["0.05","12"]],"a":[]}"#,
        ]
        let (items, r) = try CaptureLoader(options: ReplayOptions()).load(path: recording("undetermined.log", lines))
        #expect(r.problemCount == 0, "not bad input: \(r)")
        #expect(r.unsyncedCount == 1)
        let u = try #require(r.unsynced.first)
        #expect(u.location == "line 2")
        #expect(u.reason.contains("names no symbol") && u.reason.contains("--symbol"), "\(u.reason)")
        #expect(r.description.contains("books not synced: 1"), "\(r.description)")
        let books = Books(items)
        #expect(books.snapshots == 0)
        #expect(books.normalizer.status(of: "BNB-BTC") == .awaitingSnapshot)
    }
}

@Suite("Replay: unsupported kinds are not bad input")
struct ReplayUnsupportedKindTests {
    @Test func eachVenueCountsUnsupportedKindsByName() throws {
        let cases: [(String, [String], [String: Int])] = [
            ("bitmex", [
                #"{"info":"Welcome to the BitMEX Realtime API.","version":"2.0.0","timestamp":"2024-01-01T00:00:00.000Z"}"#,
                #"{"table":"quote","action":"insert","data":[{"timestamp":"2024-01-01T00:00:00.000Z","symbol":"XBTUSD","bidSize":1,"bidPrice":42000,"askPrice":42000.5,"askSize":2}]}"#,
                #"{"table":"instrument","action":"update","data":[{"symbol":"XBTUSD","lastPrice":42000}]}"#,
                #"{"table":"trade","action":"insert","data":[{"timestamp":"2024-01-01T00:00:04.500Z","symbol":"XBTUSD","side":"Buy","size":100,"price":42000.5,"trdMatchID":"c427f7a0-6b26-1e10-5c4e-1bd74daf2a73"}]}"#,
                #"{"table":"trade","action":"insert","data":[{"symbol":"XBTUSD","side":"Up"}]}"#,
            ], ["info": 1, "quote": 1, "instrument": 1]),
            ("bybit", [
                #"{"success":true,"ret_msg":"subscribe","conn_id":"2324d924","op":"subscribe"}"#,
                #"{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1673853746003,"cs":2588407389,"data":{"symbol":"BTCUSDT","lastPrice":"21109.77"}}"#,
                #"{"topic":"kline.5.BTCUSDT","data":[{"start":1672324800000}],"ts":1672324988882,"type":"snapshot"}"#,
                #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1672304486868,"data":[{"T":1672304486865,"s":"BTCUSDT","S":"Buy","v":"0.001","p":"16578.50","L":"PlusTick","i":"20f43950-d8dd-5b31-9112-a178eb6023af","BT":false}]}"#,
                #"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Sideways"}]}"#,
            ], ["op": 1, "tickers": 1, "kline": 1]),
            ("coinbase", [
                #"{"type":"subscriptions","channels":[{"name":"heartbeat","product_ids":["BTC-USD"]}]}"#,
                #"{"type":"heartbeat","sequence":90,"last_trade_id":20,"product_id":"BTC-USD","time":"2014-11-07T08:19:28.464459Z"}"#,
                #"{"type":"done","side":"sell","order_id":"d50ec984","reason":"filled","product_id":"BTC-USD","price":"2600.00","remaining_size":"0","sequence":10,"time":"2014-11-07T08:19:27.028459Z"}"#,
                #"{"type":"match","trade_id":10,"sequence":50,"maker_order_id":"a","taker_order_id":"b","time":"2014-11-07T08:19:27.028459Z","product_id":"BTC-USD","size":"5.23512","price":"400.23","side":"sell"}"#,
                #"{"type":"match","product_id":"BTC-USD"}"#,
            ], ["subscriptions": 1, "heartbeat": 1, "done": 1]),
            ("binance", [
                #"{"result":null,"id":1}"#,
                #"{"e":"kline","E":1,"s":"BTCUSDT","k":{}}"#,
                #"{"e":"trade","E":1672515782400,"s":"BNBBTC","t":12345,"p":"0.0025","q":"100","T":1672515782399,"m":true,"M":true}"#,
                #"{"e":"trade","E":1,"s":"BNBBTC","t":"x"}"#,
            ], ["subscription_ack": 1, "kline": 1]),
        ]
        for (format, lines, unsupported) in cases {
            var o = ReplayOptions()
            o.format = format
            let (items, r) = try CaptureLoader(options: o).load(path: recording("\(format)-kinds.log", lines))
            #expect(r.unsupported == unsupported, "\(format): \(r)")
            #expect(r.problemCount == 1, "\(format): only the malformed line is bad: \(r)")
            #expect(r.problems.first?.location == "line \(lines.count)", "\(format)")
            #expect(items.count == 1, "\(format)")
            let text = r.description
            #expect(text.contains("unsupported: ") && text.contains("skipped 1 bad input"), "\(format): \(text)")
        }
    }

    @Test func autoDetectedRecordingWithUnsupportedKindsReplays() throws {
        let path = recording("bybit-tickers.log", [
            #"{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1673853746003,"cs":2588407389,"data":{"symbol":"BTCUSDT","lastPrice":"21109.77"}}"#,
            #"{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1672304484978,"data":{"s":"BTCUSDT","b":[["16493.50","0.006"]],"a":[["16611.00","0.029"]],"u":18521288,"seq":7961638724},"cts":1672304484976}"#,
        ])
        let (_, r) = try CaptureLoader(options: ReplayOptions()).load(path: path)
        #expect(r.format == .bybit)
        #expect(r.unsupported == ["tickers": 1] && r.problemCount == 0, "\(r)")
    }
}

@Suite("Replay: corrupt pcap records")
struct ReplayCorruptPcapTests {
    @Test func corruptRecordIsNamedNotUnknownFormat() throws {
        // The committed WebSocket pcap with its first data record's caplen smashed: nothing before it tells the feed,
        // so the error names the record instead of "cannot tell the format".
        let source = URL(fileURLWithPath: exchanges).deletingLastPathComponent().appendingPathComponent("websocket/coinbase-ws-loopback.pcap")
        var bytes = try [UInt8](Data(contentsOf: source))
        for i in 0..<4 { bytes[24 + 8 + i] = 0xff }
        let path = NSTemporaryDirectory() + "replay-corrupt-\(getpid()).pcap"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        do {
            _ = try CaptureLoader(options: ReplayOptions()).load(path: path)
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(text.contains("record 0 at byte offset 24") && !text.contains("cannot tell the format from its content"), "\(text)")
        }
    }

    @Test func corruptRecordLaterKeepsWhatCameBefore() throws {
        let source = URL(fileURLWithPath: exchanges).deletingLastPathComponent().appendingPathComponent("websocket/coinbase-ws-loopback.pcap")
        var bytes = try [UInt8](Data(contentsOf: source))
        // Walk to record 40 (of 64) and corrupt its captured length.
        var at = 24
        for _ in 0..<40 { at += 16 + (Int(bytes[at + 8]) | Int(bytes[at + 9]) << 8 | Int(bytes[at + 10]) << 16 | Int(bytes[at + 11]) << 24) }
        for i in 0..<4 { bytes[at + 8 + i] = 0xff }
        let path = NSTemporaryDirectory() + "replay-corrupt-late-\(getpid()).pcap"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        let (items, r) = try CaptureLoader(options: ReplayOptions()).load(path: path)
        #expect(r.format == .coinbase)
        #expect(!items.isEmpty)
        let c = try #require(r.corruption)
        #expect(c.contains("record 40 at byte offset \(at)"), "\(c)")
        #expect(r.description.contains("corrupt: "))
    }
}
