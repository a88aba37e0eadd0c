import Pipeline
import RiskSignalCore
import Testing

/// `market.quotes.<symbol>` → `quotes` rows: what the feed adapters publish is stored; bad quotes name their field.
@Suite struct QuoteRowEncoderTests {
    let now = Timestamp.now().nanosSinceEpoch / 1_000_000

    func quote(_ fields: String, symbol: String = "BTC-USDT") -> String {
        #"{"symbol":"\#(symbol)","exchange":"binance","event_time":\#(now),\#(fields)}"#
    }

    @Test func aQuoteWithBothSidesBecomesOneRow() throws {
        let rows = try encodeMessage(QuoteRowEncoder(), quote(#""bid_price":"43000.1","bid_size":1.5,"ask_price":43000.2,"ask_size":2,"intended_ns":\#(now * 1_000_000)"#),
                                     subject: "market.quotes.BTC-USDT").get()
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.contains(#""bid_price":43000.1"#) && row.contains(#""ask_size":2"#) && row.contains(#""exchange":"binance""#))
        // No id from the venue: exchange, symbol, time and the stream sequence (7 here) tell quotes apart.
        #expect(row.contains(#""event_id":"binance:BTC-USDT:\#(now * 1_000_000):7""#))
        #expect(row.contains(#""intended_at":"#))
    }

    @Test func unknownSizesStayNullAndAnEmptySideIsAccepted() throws {
        let row = try #require(try encodeMessage(QuoteRowEncoder(), quote(#""bid_price":0,"bid_size":null,"ask_price":187.5,"ask_size":null"#, symbol: "AAPL-USD"),
                                                 subject: "market.quotes.AAPL-USD").get().first)
        #expect(!row.contains("bid_size") && !row.contains("ask_size"), "a null size is left out, so the column stays NULL")
        #expect(row.contains(#""bid_price":0"#))
    }

    @Test(arguments: [
        (#""bid_price":101,"ask_price":100"#, "ask_price", "at or above the bid"),
        (#""bid_price":-1,"ask_price":100"#, "bid_price", "expected a number in"),
        (#""bid_price":"abc","ask_price":100"#, "bid_price", "expected a number"),
        (#""ask_price":100"#, "bid_price", "required field is missing"),
        (#""bid_price":1,"ask_price":2,"bid_size":"x""#, "bid_size", "expected a number"),
    ])
    func badQuotesNameTheirField(fields: String, field: String, message: String) {
        switch encodeMessage(QuoteRowEncoder(), quote(fields), subject: "market.quotes.BTC-USDT") {
        case .success(let rows): Issue.record("accepted \(fields): \(rows)")
        case .failure(let e):
            #expect(e.field == field, "\(e)")
            #expect(e.message.contains(message), "\(e)")
        }
    }

    @Test func theSymbolMustMatchTheSubject() {
        guard case .failure(let e) = encodeMessage(QuoteRowEncoder(), quote(#""bid_price":1,"ask_price":2"#), subject: "market.quotes.ETH-USDT") else {
            Issue.record("accepted a BTC-USDT quote on market.quotes.ETH-USDT")
            return
        }
        #expect(e.field == "symbol", "\(e)")
    }
}
