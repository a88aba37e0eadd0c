import RiskSignalCore
/// One executed trade as published on `market.trades.<symbol>`.
public struct Trade: Sendable, Hashable {
    /// `BASE-QUOTE`, e.g. `BTC-USDT`.
    public var symbol: String
    public var exchange: String
    /// Exchange trade time, nanoseconds since the Unix epoch.
    public var eventTimeNanos: Int64
    public var tradeId: UInt64
    public var price: Double
    public var quantity: Double
    /// The aggressor's side.
    public var side: TakerSide
    public var orderId: UInt64
    /// Defaults on the wire to `<exchange>:<symbol>:<trade_id>`, the key downstream de-duplicates on.
    public var eventId: String?

    public init(
        symbol: String, exchange: String, eventTimeNanos: Int64, tradeId: UInt64, price: Double, quantity: Double,
        side: TakerSide, orderId: UInt64 = 0, eventId: String? = nil
    ) {
        self.symbol = symbol
        self.exchange = exchange
        self.eventTimeNanos = eventTimeNanos
        self.tradeId = tradeId
        self.price = price
        self.quantity = quantity
        self.side = side
        self.orderId = orderId
        self.eventId = eventId
    }

    public var subject: String { "market.trades." + symbol }

    /// `{"symbol":…,"exchange":…,"event_time":…,"trade_id":…,"price":…,"quantity":…,"side":"BUY","taker":true,
    /// "order_id":0,"event_id":…,"intended_ns":…}` as `TradeRowEncoder` reads it.
    public func jsonPayload(intendedNanos: Int64? = nil) -> [UInt8] {
        var w = JSONBytes(capacity: 200)
        w.marketHead(symbol: symbol, exchange: exchange, type: nil, eventTimeNanos: eventTimeNanos)
        w.raw(",\"trade_id\":")
        w.unsigned(tradeId)
        w.raw(",\"price\":")
        w.number(price)
        w.raw(",\"quantity\":")
        w.number(quantity)
        w.raw(side == .buy ? ",\"side\":\"BUY\",\"taker\":true,\"order_id\":" : ",\"side\":\"SELL\",\"taker\":true,\"order_id\":")
        w.unsigned(orderId)
        w.raw(",\"event_id\":")
        if let eventId {
            w.quoted(eventId)
        } else {
            // Built straight into the buffer: a String interpolation per trade costs more than the rest of the encode.
            w.raw("\"")
            w.unescaped(exchange)
            w.raw(":")
            w.unescaped(symbol)
            w.raw(":")
            w.unsigned(tradeId)
            w.raw("\"")
        }
        if let intendedNanos {
            w.raw(",\"intended_ns\":")
            w.integer(intendedNanos)
        }
        w.raw("}")
        return w.bytes
    }
}
