import RiskSignalCore
/// Best bid and offer of one symbol as published on `market.quotes.<symbol>`; a size is nil where the venue omits it.
public struct Quote: Sendable, Hashable {
    public var symbol: String
    public var exchange: String
    /// Exchange time of the quote, nanoseconds since the Unix epoch (receive time where the venue sends none).
    public var eventTimeNanos: Int64
    public var bidPrice: Double
    public var bidSize: Double?
    public var askPrice: Double
    public var askSize: Double?

    public init(
        symbol: String, exchange: String, eventTimeNanos: Int64,
        bidPrice: Double, bidSize: Double?, askPrice: Double, askSize: Double?
    ) {
        self.symbol = symbol
        self.exchange = exchange
        self.eventTimeNanos = eventTimeNanos
        self.bidPrice = bidPrice
        self.bidSize = bidSize
        self.askPrice = askPrice
        self.askSize = askSize
    }

    public var subject: String { "market.quotes." + symbol }

    /// `{"symbol":…,"exchange":…,"event_time":…,"bid_price":…,"bid_size":…,"ask_price":…,"ask_size":…,"intended_ns":…}`;
    /// an unknown size is written as null so a reader can tell it from an empty side.
    public func jsonPayload(intendedNanos: Int64? = nil) -> [UInt8] {
        var w = JSONBytes(capacity: 160)
        w.marketHead(symbol: symbol, exchange: exchange, type: nil, eventTimeNanos: eventTimeNanos)
        w.raw(",\"bid_price\":")
        w.number(bidPrice)
        w.raw(",\"bid_size\":")
        if let bidSize { w.number(bidSize) } else { w.raw("null") }
        w.raw(",\"ask_price\":")
        w.number(askPrice)
        w.raw(",\"ask_size\":")
        if let askSize { w.number(askSize) } else { w.raw("null") }
        if let intendedNanos {
            w.raw(",\"intended_ns\":")
            w.integer(intendedNanos)
        }
        w.raw("}")
        return w.bytes
    }
}
