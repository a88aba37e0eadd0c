import RiskSignalCore

/// `market.trades.<symbol>` messages to `trades` rows.
///
/// Message: `{"symbol":"BTC-USDT","exchange":"binance","event_time":<ms|ISO>,"trade_id":1,
/// "price":43000.1,"quantity":0.01,"side":"BUY","taker":true,"order_id":7,"event_id":"…"}`;
/// prices and quantities may be numeric strings.
public struct TradeRowEncoder: RowEncoder {
    public let table = "trades"
    public var maxMessageBytes = 16 * 1024

    public init() {}

    public func rows(for m: InboundMessage) throws(ValidationError) -> [String] {
        let f = try FieldReader.parse(m.payload, maxBytes: maxMessageBytes)
        let symbol = try f.symbol()
        try m.requireSubjectSymbol(symbol)
        let exchange = try f.optionalString("exchange", maxLength: 32) ?? ""
        let time = try f.timestamp("event_time")
        let tradeID = try f.uint64("trade_id")
        let price = try f.double("price", range: 0...1e12)
        guard price > 0 else { throw ValidationError(field: "price", message: "expected a positive price, got 0") }
        let qty = try f.double("quantity", range: 0...1e15)
        guard qty > 0 else { throw ValidationError(field: "quantity", message: "expected a positive quantity, got 0") }
        let side = try f.oneOf("side", ["BUY", "SELL"])
        let taker = f.has("taker") ? try f.bool("taker") : true
        let orderID = try f.optionalUInt64("order_id") ?? 0
        let eventID = try f.optionalString("event_id", maxLength: 128) ?? "\(exchange):\(symbol):\(tradeID)"
        var w = RowWriter()
        try w.eventTime(time)
        w.string("symbol", symbol)
        w.number("trade_id", tradeID)
        try w.number("price", price)
        try w.number("quantity", qty)
        w.string("side", side)
        w.bool("taker", taker)
        w.number("order_id", orderID)
        w.string("metadata", exchange.isEmpty ? "{}" : "{\"exchange\":\(JSONText.quoted(exchange))}")
        w.string("event_id", eventID)
        try w.timing(m, f)
        return [w.finish()]
    }
}
