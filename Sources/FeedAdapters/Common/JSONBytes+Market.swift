import RiskSignalCore

/// The head every market message on the bus starts with, and event times in the wire's two forms.
extension JSONBytes {
    /// `{"symbol":…,"exchange":…[,"type":…],"event_time":…`: how every market message on the bus begins.
    mutating func marketHead(symbol: String, exchange: String, type: StaticString?, eventTimeNanos: Int64) {
        raw("{\"symbol\":")
        quoted(symbol)
        raw(",\"exchange\":")
        quoted(exchange)
        if let type { raw(type) }
        raw(",\"event_time\":")
        eventTime(eventTimeNanos)
    }

    /// Whole milliseconds go out as the integer the wire documents; finer times (IEX ns, Coinbase µs) as an
    /// ISO-8601 string with a 9-digit fraction, which both `L2Update.decode` and the trade reader accept, so no
    /// precision is thrown away.
    mutating func eventTime(_ nanos: Int64) {
        if nanos % 1_000_000 == 0 {
            integer(nanos / 1_000_000)
            return
        }
        iso8601(nanos: nanos)
    }
}
