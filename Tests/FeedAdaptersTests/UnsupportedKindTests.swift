import Foundation
import Testing
@testable import FeedAdapters

/// Valid messages of kinds we do not map are classed unsupported (under the venue's name for the kind), never bad;
/// malformed ones stay bad with the field. One classification (`MessageClass`) for every venue.
@Suite struct UnsupportedKindTests {
    func verdict<A: FeedAdapter>(_ adapter: inout A, _ json: String) -> MessageClass? {
        do { _ = try adapter.adapt(Array(json.utf8), receivedNanos: 1); return nil } catch { return MessageClass(error) }
    }

    @Test func binance() {
        var a = BinanceAdapter(market: .spot)
        #expect(verdict(&a, #"{"e":"kline","E":1,"s":"BTCUSDT","k":{"t":1,"T":2,"s":"BTCUSDT","i":"1m","o":"1","c":"1","h":"1","l":"1","v":"1","x":false}}"#) == .unsupported(kind: "kline"))
        #expect(verdict(&a, #"{"e":"markPriceUpdate","E":1,"s":"BTCUSDT","p":"1","i":"1","P":"1","r":"0.0001","T":2}"#) == .unsupported(kind: "markPriceUpdate"))
        #expect(verdict(&a, #"{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1,"s":"BTCUSDT","k":{}}}"#) == .unsupported(kind: "kline"))
        #expect(verdict(&a, #"[{"e":"24hrTicker","E":1,"s":"BTCUSDT"},{"e":"24hrTicker","E":1,"s":"ETHUSDT"}]"#) == .unsupported(kind: "24hrTicker"))
        #expect(verdict(&a, #"{"stream":"!markPrice@arr","data":[{"e":"markPriceUpdate","E":1,"s":"BTCUSDT"}]}"#) == .unsupported(kind: "markPriceUpdate"))
        // Acks and API error replies are accepted and counted, mapping to nothing.
        #expect(verdict(&a, #"{"result":null,"id":1}"#) == nil)
        #expect(verdict(&a, #"{"code":-1121,"msg":"Invalid symbol."}"#) == nil)
        #expect(a.counts == ["subscription_ack": 1, "error": 1])
        #expect(a.unmappedKinds.isSuperset(of: ["subscription_ack", "error"]))
        // Malformed stays bad, naming the field.
        guard case .bad = verdict(&a, #"{"e":"trade""#) else { Issue.record("cut JSON is bad"); return }
        guard case .bad(let field, _) = verdict(&a, #"{"e":42,"s":"BTCUSDT"}"#) else { Issue.record("expected bad"); return }
        #expect(field == "e")
        guard case .bad(let f2, _) = verdict(&a, #"{"foo":1}"#) else { Issue.record("an object of no known shape is bad"); return }
        #expect(f2 == "e")
        guard case .bad(let f3, _) = verdict(&a, #"{"e":"depthUpdate","E":1,"s":"BTCUSDT","U":"abc","u":2,"b":[],"a":[]}"#) else { Issue.record("expected bad"); return }
        #expect(f3 == "U")
        // A recorder that stores the symbol with the REST response places it.
        #expect(verdict(&a, #"{"symbol":"BTCUSDT","lastUpdateId":5,"bids":[],"asks":[]}"#) == nil)
        #expect(a.counts["snapshot"] == 1)
        // A bare REST snapshot with no symbol known is neither: its book stays unsynced.
        guard case .unsynced(let why) = verdict(&a, #"{"lastUpdateId":5,"bids":[],"asks":[]}"#) else { Issue.record("expected unsynced"); return }
        #expect(why.contains("names no symbol"))
    }

    @Test func bitmex() {
        var a = BitMEXAdapter()
        #expect(verdict(&a, #"{"table":"quote","action":"insert","data":[{"timestamp":"2024-01-01T00:00:00.000Z","symbol":"XBTUSD","bidSize":1,"bidPrice":42000,"askPrice":42000.5,"askSize":2}]}"#) == .unsupported(kind: "quote"))
        #expect(verdict(&a, #"{"table":"instrument","action":"update","data":[{"symbol":"XBTUSD","lastPrice":42000}]}"#) == .unsupported(kind: "instrument"))
        #expect(verdict(&a, #"{"table":"funding","action":"partial","keys":[],"data":[]}"#) == .unsupported(kind: "funding"))
        #expect(verdict(&a, #"{"success":true,"subscribe":"quote:XBTUSD","request":{"op":"subscribe","args":["quote:XBTUSD"]}}"#) == nil)
        #expect(verdict(&a, "pong") == nil)
        #expect(a.counts == ["subscribe_ack": 1, "pong": 1])
        guard case .bad(let field, _) = verdict(&a, #"{"table":7,"action":"insert","data":[]}"#) else { Issue.record("expected bad"); return }
        #expect(field == "table")
        guard case .bad = verdict(&a, #"{"data":[]}"#) else { Issue.record("no table, info, ack or error is bad"); return }
    }

    @Test func bybit() {
        var a = BybitAdapter()
        #expect(verdict(&a, #"{"topic":"tickers.BTCUSDT","type":"snapshot","ts":1673853746003,"cs":2588407389,"data":{"symbol":"BTCUSDT","lastPrice":"21109.77"}}"#) == .unsupported(kind: "tickers"))
        #expect(verdict(&a, #"{"topic":"kline.5.BTCUSDT","data":[{"start":1672324800000,"end":1672325099999,"interval":"5","open":"16649.5"}],"ts":1672324988882,"type":"snapshot"}"#) == .unsupported(kind: "kline"))
        #expect(verdict(&a, #"{"topic":"liquidation.BTCUSDT","type":"snapshot","ts":1673251091822,"data":{"price":"18068.5","side":"Sell","size":"0.005","symbol":"BTCUSDT","updatedTime":1673251091822}}"#) == .unsupported(kind: "liquidation"))
        #expect(verdict(&a, #"{"success":true,"ret_msg":"subscribe","conn_id":"2324d924","op":"subscribe"}"#) == nil)
        #expect(verdict(&a, #"{"success":true,"ret_msg":"pong","conn_id":"465772b1-7630-4fdc-a492-e003e6f0f260","req_id":""}"#) == nil)
        #expect(a.counts == ["op": 2])
        guard case .bad(let field, _) = verdict(&a, #"{"topic":"orderbook.50.BTCUSDT","type":"delta","ts":1,"data":{"s":"BTCUSDT","b":[],"a":[]}}"#) else { Issue.record("expected bad"); return }
        #expect(field == "data.u")
    }

    @Test func coinbase() {
        var a = CoinbaseAdapter()
        #expect(verdict(&a, #"{"type":"done","side":"sell","order_id":"d50ec984","reason":"filled","product_id":"BTC-USD","price":"2600.00","remaining_size":"0","sequence":10,"time":"2014-11-07T08:19:27.028459Z"}"#) == .unsupported(kind: "done"))
        #expect(verdict(&a, #"{"type":"heartbeat","sequence":90,"last_trade_id":20,"product_id":"BTC-USD","time":"2014-11-07T08:19:28.464459Z"}"#) == nil)
        #expect(verdict(&a, #"{"type":"status","products":[],"currencies":[]}"#) == nil)
        #expect(verdict(&a, #"{"channel":"l2_data","client_id":"","timestamp":"2023-02-09T20:32:50.714964855Z","sequence_num":0,"events":[]}"#) == .unsupported(kind: "l2_data"))
        #expect(Set(a.counts.keys).isSubset(of: a.unmappedKinds))
        guard case .bad(let field, _) = verdict(&a, #"{"product_id":"BTC-USD"}"#) else { Issue.record("expected bad"); return }
        #expect(field == "type")
    }

    @Test func iex() {
        var a = IEXAdapter()
        var seg = [UInt8](repeating: 0, count: 40)
        seg[0] = 1; seg[2] = 0x05; seg[3] = 0x80  // protocol 0x8005: not DEEP or TOPS
        do { _ = try a.adapt(seg, receivedNanos: 1); Issue.record("expected an error") } catch {
            #expect(MessageClass(error) == .unsupported(kind: "protocol 0x8005"))
        }
        do { _ = try a.adapt([UInt8](repeating: 0, count: 10), receivedNanos: 1); Issue.record("expected an error") } catch {
            guard case .bad = MessageClass(error) else { Issue.record("a short segment is bad"); return }
        }
    }
}
