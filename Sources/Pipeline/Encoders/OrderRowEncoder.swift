import RiskSignalCore

/// `user.actions.>` order-lifecycle events to `user_orders` rows.
///
/// Message: `{"event_id":"…","event_time":<ms|ISO>,"user_id":42,"order_id":9,"symbol":"BTC-USDT",
/// "side":"BUY","type":"limit","price":43000,"quantity":0.5,"filled_quantity":0,"status":"new"}`.
public struct OrderRowEncoder: RowEncoder {
    public let table = "user_orders"
    public var maxMessageBytes = 16 * 1024
    public static let statuses = ["new", "partially_filled", "filled", "canceled", "rejected", "expired"]
    public static let types = ["limit", "market", "stop", "stop_limit", "post_only", "ioc", "fok"]

    public init() {}

    public func rows(for m: InboundMessage) throws(ValidationError) -> [String] {
        let f = try FieldReader.parse(m.payload, maxBytes: maxMessageBytes)
        let time = try f.timestamp("event_time")
        let userID = try f.uint64("user_id")
        let orderID = try f.uint64("order_id")
        let symbol = try f.symbol()
        let side = try f.oneOf("side", ["BUY", "SELL"])
        let type = try f.oneOf("type", Self.types)
        let price = try f.double("price", range: 0...1e12)
        if type != "market", price <= 0 { throw ValidationError(field: "price", message: "expected a positive price for a \(type) order, got \(price)") }
        let qty = try f.double("quantity", range: 0...1e15)
        guard qty > 0 else { throw ValidationError(field: "quantity", message: "expected a positive quantity, got 0") }
        let filled = try f.optionalDouble("filled_quantity", range: 0...1e15) ?? 0
        guard filled <= qty * (1 + 1e-9) else {
            throw ValidationError(field: "filled_quantity", message: "\(filled) is more than the order quantity \(qty)")
        }
        let status = try f.oneOf("status", Self.statuses)
        let eventID = try f.optionalString("event_id", maxLength: 128) ?? "\(m.subject):\(m.streamSequence)"
        var w = RowWriter()
        try w.eventTime(time)
        w.number("user_id", userID)
        w.number("order_id", orderID)
        w.string("symbol", symbol)
        w.string("side", side)
        w.string("type", type)
        try w.number("price", price)
        try w.number("quantity", qty)
        try w.number("filled_quantity", filled)
        w.string("status", status)
        w.string("metadata", try f.jsonText("metadata"))
        w.string("event_id", eventID)
        try w.timing(m, f)
        return [w.finish()]
    }
}
