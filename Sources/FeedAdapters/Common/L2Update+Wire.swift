import RiskSignalCore
import MarketData

extension L2Update {
    /// `market.l2raw.<SYM>`.
    public var subject: String { "market.l2raw." + symbol }

    /// The wire JSON that `L2Update.decode` reads back (MarketData has a decoder but no encoder). `event_id` and
    /// `prev_last_update_id` are written only when set; `intendedNanos` overrides the update's own when given.
    public func jsonPayload(intendedNanos: Int64? = nil) -> [UInt8] {
        var w = JSONBytes(capacity: 160 + 24 * (bids.count + asks.count))
        w.marketHead(symbol: symbol, exchange: exchange, type: kind == .delta ? ",\"type\":\"delta\"" : ",\"type\":\"snapshot\"",
                     eventTimeNanos: eventTimeNanos)
        w.raw(",\"first_update_id\":")
        w.integer(firstUpdateId)
        w.raw(",\"last_update_id\":")
        w.integer(lastUpdateId)
        if let prevLastUpdateId {
            w.raw(",\"prev_last_update_id\":")
            w.integer(prevLastUpdateId)
        }
        w.raw(",\"bids\":")
        w.levels(bids)
        w.raw(",\"asks\":")
        w.levels(asks)
        if let eventId {
            w.raw(",\"event_id\":")
            w.quoted(eventId)
        }
        if let intended = intendedNanos ?? self.intendedNanos {
            w.raw(",\"intended_ns\":")
            w.integer(intended)
        }
        w.raw("}")
        return w.bytes
    }
}
