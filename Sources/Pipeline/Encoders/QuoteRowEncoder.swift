import RiskSignalCore

/// `market.quotes.<symbol>` best bid/offer messages to `quotes` rows.
///
/// Message (what the feed adapters publish from `bookTicker`, Coinbase `ticker`, IEX TOPS, BitMEX `quote` and
/// Bybit `tickers`): `{"symbol":"BTC-USDT","exchange":"binance","event_time":<ms|ISO>,"bid_price":43000.1,
/// "bid_size":1.2,"ask_price":43000.2,"ask_size":null}`; a size is null where the venue omits it, and prices may
/// be numeric strings, and a price of 0 is an empty side. A crossed quote (bid above ask) is refused: no single
/// venue publishes one as its best prices.
public struct QuoteRowEncoder: RowEncoder {
    public let table = "quotes"
    public var maxMessageBytes = 4 * 1024

    public init() {}

    /// The fields of one quote message, validated.
    public struct Fields: Sendable {
        public var symbol: String
        public var exchange: String
        public var eventTime: Timestamp
        public var bidPrice: Double
        public var bidSize: Double?
        public var askPrice: Double
        public var askSize: Double?
    }

    public func fields(_ f: FieldReader, subject m: InboundMessage) throws(ValidationError) -> Fields {
        let symbol = try f.symbol()
        try m.requireSubjectSymbol(symbol)
        let exchange = try f.optionalString("exchange", maxLength: 32) ?? ""
        let time = try f.timestamp("event_time")
        let bid = try f.double("bid_price", range: 0...1e12)
        let ask = try f.double("ask_price", range: 0...1e12)
        // A price of 0 is an empty side (IEX TOPS sends one-sided quotes so); two real sides must not cross.
        guard bid == 0 || ask == 0 || ask >= bid else {
            throw ValidationError(field: "ask_price", message: "expected an ask at or above the bid (\(bid)), got \(ask)")
        }
        return Fields(symbol: symbol, exchange: exchange, eventTime: time, bidPrice: bid, bidSize: try f.optionalDouble("bid_size", range: 0...1e15),
                      askPrice: ask, askSize: try f.optionalDouble("ask_size", range: 0...1e15))
    }

    public func rows(for m: InboundMessage) throws(ValidationError) -> [String] {
        let f = try FieldReader.parse(m.payload, maxBytes: maxMessageBytes)
        let q = try fields(f, subject: m)
        var w = RowWriter()
        try w.eventTime(q.eventTime)
        w.string("symbol", q.symbol)
        w.string("exchange", q.exchange)
        try w.number("bid_price", q.bidPrice)
        if let s = q.bidSize { try w.number("bid_size", s) }
        try w.number("ask_price", q.askPrice)
        if let s = q.askSize { try w.number("ask_size", s) }
        // Venues send no id for a quote and several can share a millisecond: the stream sequence tells them apart
        // and stays the same on a redelivery, so a repeat collapses and two quotes never do.
        let id = try f.optionalString("event_id", maxLength: 128) ?? "\(q.exchange):\(q.symbol):\(q.eventTime.nanosSinceEpoch):\(m.streamSequence)"
        w.string("event_id", id)
        try w.timing(m, f)
        return [w.finish()]
    }
}
