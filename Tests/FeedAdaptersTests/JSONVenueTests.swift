import Foundation
import MarketData
import Testing
@testable import FeedAdapters

@Suite struct BinanceAdapterTests {
    @Test func spotSampleSequencesLikeBinanceDocs() throws {
        var adapter = BinanceAdapter(market: .spot)
        var replay = Replay()
        for m in try Fixture.lines("binance-spot.jsonl") { replay.feed(&adapter, m) }
        #expect(replay.errors.isEmpty, "\(replay.errors)")
        #expect(adapter.counts == ["subscription_ack": 1, "snapshot": 1, "depthUpdate": 3, "trade": 1, "bookTicker": 1])
        #expect(replay.bookEvents.map(\.firstUpdateId) == [160, 150, 157, 164])
        // Binance: drop u <= lastUpdateId (the 150…160 event); the first applied one straddles 161; then U == previous u + 1.
        #expect(replay.stale == 1)
        #expect(replay.gaps.isEmpty)
        #expect(replay.normalizer.lastUpdateId(of: "BNB-BTC") == 166)
        let book = try #require(replay.normalizer.book(for: "BNB-BTC"))
        #expect(book.topBids(3) == [PriceLevel(price: 0.0025, quantity: 1), PriceLevel(price: 0.0024, quantity: 12)])
        #expect(book.topAsks(3) == [PriceLevel(price: 0.0026, quantity: 90)])
        #expect(replay.trades == [Trade(symbol: "BNB-BTC", exchange: "binance", eventTimeNanos: 1_672_515_782_399_000_000, tradeId: 12345, price: 0.0025, quantity: 100, side: .sell)])
        #expect(replay.quotes.first?.bidSize == 1 && replay.quotes.first?.askPrice == 0.0026)
    }

    @Test func spotBrokenSequenceIsAGap() throws {
        var adapter = BinanceAdapter(market: .spot)
        var replay = Replay()
        for m in try Fixture.lines("binance-spot.jsonl") { replay.feed(&adapter, m) }
        replay.feed(&adapter, Array(#"{"e":"depthUpdate","E":1672515782536,"s":"BNBBTC","U":168,"u":170,"b":[],"a":[]}"#.utf8))
        #expect(replay.gaps.count == 1)
        #expect(replay.gaps.first?.expected == 167 && replay.gaps.first?.got == 168)
        #expect(replay.normalizer.status(of: "BNB-BTC") == .awaitingSnapshot)
    }

    @Test func firstEventAfterSnapshotMustStraddle() throws {
        var adapter = BinanceAdapter(market: .spot, defaultSymbol: "BNBBTC")
        var replay = Replay()
        // Unwrapped REST snapshot: symbol from defaultSymbol.
        replay.feed(&adapter, Array(#"{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}"#.utf8))
        replay.feed(&adapter, Array(#"{"e":"depthUpdate","E":1,"s":"BNBBTC","U":162,"u":170,"b":[],"a":[]}"#.utf8))
        #expect(replay.errors.isEmpty)
        #expect(replay.gaps.count == 1 && replay.gaps.first?.expected == 161 && replay.gaps.first?.got == 162)
    }

    @Test func futuresSampleChainsOnPu() throws {
        var adapter = BinanceAdapter(market: .usdmFutures)
        var replay = Replay()
        for m in try Fixture.lines("binance-futures.jsonl") { replay.feed(&adapter, m) }
        #expect(replay.errors.isEmpty, "\(replay.errors)")
        #expect(adapter.counts == ["snapshot": 1, "depthUpdate": 3, "aggTrade": 1, "bookTicker": 1])
        #expect(adapter.name == "binance-futures")
        #expect(replay.bookEvents.compactMap(\.prevLastUpdateId) == [1_026_990, 1_027_015, 1_027_037])
        #expect(replay.stale == 1)
        #expect(replay.gaps.isEmpty)
        #expect(replay.normalizer.lastUpdateId(of: "BTC-USDT") == 1_027_060)
        #expect(replay.trades.first?.tradeId == 5_933_014 && replay.trades.first?.side == .buy)
        #expect(replay.quotes.first?.eventTimeNanos == 1_568_014_460_893_000_000)

        // pu must equal the previous u (1027060).
        replay.feed(&adapter, Array(#"{"e":"depthUpdate","E":1591270262007,"T":1,"s":"BTCUSDT","U":1027070,"u":1027080,"pu":1027065,"b":[],"a":[]}"#.utf8))
        #expect(replay.gaps.count == 1 && replay.gaps.first?.expected == 1_027_060 && replay.gaps.first?.got == 1_027_065)
    }

    @Test func malformedAndUnknown() {
        var adapter = BinanceAdapter(market: .usdmFutures)
        func error(_ json: String) -> AdapterError? {
            do { _ = try adapter.adapt(Array(json.utf8), receivedNanos: 0); return nil } catch { return error }
        }
        #expect(error(#"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":"abc","u":2,"pu":1,"b":[],"a":[]}"#)?.field == "U")
        #expect(error(#"{"stream":"btcusdt@depth","data":{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"b":[],"a":[]}}"#)?.field == "data.pu")
        #expect(error(#"{"e":"depthUpdate","E":1,"s":"BTCXYZ","U":1,"u":2,"pu":1,"b":[],"a":[]}"#)?.field == "s")
        #expect(error(#"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":1,"u":2,"pu":1,"b":[["-1","2"]],"a":[]}"#)?.field == "b[0][0]")
        #expect(error(#"{"e":"kline","E":1,"s":"BTCUSDT"}"#)?.reason == .unknownKind)
        #expect(error(#"{"lastUpdateId":5,"bids":[],"asks":[]}"#)?.field == "stream")
        #expect(error(#"{"e":"trade""#)?.reason == .malformed)
        #expect(adapter.counts.isEmpty)
    }
}

@Suite struct BitMEXAdapterTests {
    @Test func sampleRebuildsTheBookById() throws {
        var adapter = BitMEXAdapter()
        var replay = Replay()
        for m in try Fixture.lines("bitmex.jsonl") { replay.feed(&adapter, m) }
        #expect(replay.errors.isEmpty, "\(replay.errors)")
        #expect(adapter.counts == ["info": 1, "subscribe_ack": 1, "before_partial": 1, "partial": 1, "update": 1, "insert": 1, "delete": 1, "trade": 1])
        #expect(replay.bookEvents.map(\.firstUpdateId) == [1, 2, 3, 4])
        #expect(replay.gaps.isEmpty)
        let book = try #require(replay.normalizer.book(for: "XBT-USD"))
        #expect(book.topAsks(5) == [PriceLevel(price: 10000.5, quantity: 150), PriceLevel(price: 10001, quantity: 100)])
        #expect(book.topBids(5) == [PriceLevel(price: 9999.8, quantity: 50), PriceLevel(price: 9999.5, quantity: 300)])
        #expect(!book.isCrossed)
        #expect(replay.trades.map(\.symbol) == ["XBT-USD", "XBTZ24-USD"])
        #expect(replay.trades.map(\.side) == [.buy, .sell])
        #expect(replay.trades[0].tradeId == StableTradeId.from("c427f7a0-6b26-1e10-5c4e-1bd74daf2a73"))
        #expect(replay.trades[0].eventTimeNanos == 1_704_067_204_500_000_000)
    }

    @Test func unknownIdIsAGap() throws {
        var adapter = BitMEXAdapter()
        var replay = Replay()
        for m in try Fixture.lines("bitmex.jsonl") { replay.feed(&adapter, m) }
        replay.feed(&adapter, Array(#"{"table":"orderBookL2","action":"update","data":[{"symbol":"XBTUSD","id":1234,"size":7}]}"#.utf8))
        #expect(replay.errors.isEmpty)
        #expect(replay.gaps.count == 1 && replay.gaps.first?.expected == 5 && replay.gaps.first?.got == 6)
    }

    @Test func malformedNamesTheField() {
        var adapter = BitMEXAdapter()
        do {
            _ = try adapter.adapt(Array(#"{"table":"orderBookL2","action":"partial","data":[{"symbol":"XBTUSD","id":1,"side":"Buy","size":1}]}"#.utf8), receivedNanos: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "data[0].price")
        }
        do {
            _ = try adapter.adapt(Array(#"{"table":"trade","action":"insert","data":[{"symbol":"XBTUSD","side":"Up","size":1,"price":1,"timestamp":"2024-01-01T00:00:00Z","trdMatchID":"x"}]}"#.utf8), receivedNanos: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "data[0].side")
        }
        #expect(adapter.counts.isEmpty)
    }
}

@Suite struct BybitAdapterTests {
    @Test func sampleChainsOnU() throws {
        var adapter = BybitAdapter()
        var replay = Replay()
        for m in try Fixture.lines("bybit.jsonl") { replay.feed(&adapter, m) }
        #expect(replay.errors.isEmpty, "\(replay.errors)")
        #expect(adapter.counts == ["op": 1, "orderbook_snapshot": 1, "orderbook_delta": 2, "publicTrade": 1])
        #expect(replay.bookEvents.map(\.lastUpdateId) == [18_521_288, 18_521_289, 18_521_290])
        #expect(replay.gaps.isEmpty)
        let book = try #require(replay.normalizer.book(for: "BTC-USDT"))
        #expect(book.topBids(5) == [PriceLevel(price: 16493, quantity: 0.1), PriceLevel(price: 16490, quantity: 0.5)])
        #expect(book.topAsks(5) == [PriceLevel(price: 16611, quantity: 0.01)])
        #expect(replay.trades.map(\.side) == [.buy, .sell])
        #expect(replay.trades[0].tradeId == StableTradeId.from("20f43950-d8dd-5b31-9112-a178eb6023af"))
        #expect(replay.trades[1].tradeId == 2_290_000_000_060_530_710)
    }

    @Test func skippedUIsAGapAndRestartSnapshotResets() throws {
        var adapter = BybitAdapter()
        var replay = Replay()
        for m in try Fixture.lines("bybit.jsonl") { replay.feed(&adapter, m) }
        replay.feed(&adapter, Array(#"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1687940967666,"data":{"s":"BTCUSDT","b":[],"a":[],"u":18521292,"seq":1}}"#.utf8))
        #expect(replay.gaps.count == 1 && replay.gaps.first?.expected == 18_521_291 && replay.gaps.first?.got == 18_521_292)
        // Service restart: a snapshot with u = 1 brings the book back, and deltas continue from 2.
        replay.feed(&adapter, Array(#"{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1687940968000,"data":{"s":"BTCUSDT","b":[["1","1"]],"a":[["2","1"]],"u":1,"seq":2}}"#.utf8))
        replay.feed(&adapter, Array(#"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1687940968100,"data":{"s":"BTCUSDT","b":[["1.5","1"]],"a":[],"u":2,"seq":3}}"#.utf8))
        #expect(replay.gaps.count == 1)
        #expect(replay.normalizer.status(of: "BTC-USDT") == .live)
        #expect(replay.normalizer.lastUpdateId(of: "BTC-USDT") == 2)
    }

    @Test func malformedNamesTheField() {
        var adapter = BybitAdapter()
        do {
            _ = try adapter.adapt(Array(#"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[]}}"#.utf8), receivedNanos: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "data.u")
        }
        do {
            _ = try adapter.adapt(Array(#"{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1,"data":{}}"#.utf8), receivedNanos: 0)
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == .unknownKind && error.field == "topic")
        }
    }
}

@Suite struct SymbolAndWireTests {
    @Test func symbols() {
        let binance = SymbolNormalizer(quoteAssets: SymbolNormalizer.binanceQuotes)
        #expect(binance.split("BTCUSDT") == "BTC-USDT")
        #expect(binance.split("btcusdt") == "BTC-USDT")
        #expect(binance.split("BTCTUSD") == "BTC-TUSD")
        #expect(binance.split("ETHFDUSD") == "ETH-FDUSD")
        #expect(binance.split("ETHBTC") == "ETH-BTC")
        #expect(binance.split("BTCUSDT_240628") == "BTC240628-USDT")
        #expect(binance.split("BTCUSD_PERP") == "BTCPERP-USD")
        #expect(binance.split("BTCXYZ") == nil)
        let bitmex = SymbolNormalizer(quoteAssets: SymbolNormalizer.bitmexQuotes)
        #expect(bitmex.bitmex("XBTUSD") == "XBT-USD")
        #expect(bitmex.bitmex("XBTZ24") == "XBTZ24-USD")
        #expect(bitmex.bitmex("XBTUSDTZ24") == "XBTZ24-USDT")
        #expect(bitmex.bitmex("ETHUSD") == "ETH-USD")
        #expect(SymbolNormalizer.dashed("btc-usd") == "BTC-USD")
        #expect(SymbolNormalizer.dashed("BTCUSD") == nil)
        #expect(SymbolNormalizer.equity("AAPL") == "AAPL-USD")
        #expect(SymbolNormalizer.equity("BRK.B") == "BRK2EB-USD")
    }

    @Test func tradeAndQuoteWire() throws {
        let t = Trade(symbol: "BTC-USDT", exchange: "binance", eventTimeNanos: 1_700_000_000_123_000_000, tradeId: 42,
                      price: 43000.1, quantity: 0.01, side: .sell)
        #expect(String(decoding: t.jsonPayload(intendedNanos: 7), as: UTF8.self)
            == #"{"symbol":"BTC-USDT","exchange":"binance","event_time":1700000000123,"trade_id":42,"price":43000.1,"quantity":0.01,"side":"SELL","taker":true,"order_id":0,"event_id":"binance:BTC-USDT:42","intended_ns":7}"#)
        #expect(NormalizedEvent.trade(t).subject == "market.trades.BTC-USDT")
        let fine = Trade(symbol: "AAPL-USD", exchange: "iex", eventTimeNanos: 1_493_132_582_123_456_789, tradeId: 1, price: 143.5, quantity: 100, side: .buy)
        #expect(String(decoding: fine.jsonPayload(), as: UTF8.self).contains(#""event_time":"2017-04-25T15:03:02.123456789Z""#))
        let q = Quote(symbol: "BTC-USD", exchange: "coinbase", eventTimeNanos: 1_000_000, bidPrice: 1.5, bidSize: nil, askPrice: 2, askSize: 3)
        #expect(String(decoding: q.jsonPayload(), as: UTF8.self)
            == #"{"symbol":"BTC-USD","exchange":"coinbase","event_time":1,"bid_price":1.5,"bid_size":null,"ask_price":2,"ask_size":3}"#)
        #expect(NormalizedEvent.quote(q).subject == "market.quotes.BTC-USD")
        let u = L2Update(symbol: "ETH-USDT", exchange: "binance-futures", kind: .delta, eventTimeNanos: 1_591_270_260_907_000_000,
                         firstUpdateId: 5, lastUpdateId: 9, prevLastUpdateId: 4, bids: [PriceLevel(price: 0.1, quantity: 1e-8)], asks: [])
        var withIntended = u
        withIntended.intendedNanos = 99
        #expect(try L2Update.decode(Data(u.jsonPayload(intendedNanos: 99))).get() == withIntended)
        #expect(NormalizedEvent.book(u).subject == "market.l2raw.ETH-USDT")
    }
}
