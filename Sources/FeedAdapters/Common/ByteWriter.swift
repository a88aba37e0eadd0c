import RiskSignalCore
import MarketData

/// The adapters write wire JSON with MarketData's byte writer, plus event times in the wire's two forms.
typealias ByteWriter = JSONBytes

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

    /// For strings already validated to need no escaping (normalised symbols, venue names).
    mutating func unquotedSafe(_ s: String) { unescaped(s) }

    /// Whole milliseconds go out as the integer the wire documents; finer times (IEX ns, Coinbase µs) as an
    /// ISO-8601 string with a 9-digit fraction, which both `L2Update.decode` and the trade reader accept, so no
    /// precision is thrown away.
    mutating func eventTime(_ nanos: Int64) {
        if nanos % 1_000_000 == 0 {
            integer(nanos / 1_000_000)
            return
        }
        var seconds = nanos / 1_000_000_000
        var fraction = nanos % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        var days = seconds / 86_400
        var rem = seconds % 86_400
        if rem < 0 { rem += 86_400; days -= 1 }
        let (y, m, d) = Timestamp.civil(fromDays: days)
        byte(UInt8(ascii: "\""))
        padded(y, 4)
        byte(UInt8(ascii: "-"))
        padded(m, 2)
        byte(UInt8(ascii: "-"))
        padded(d, 2)
        byte(UInt8(ascii: "T"))
        padded(rem / 3600, 2)
        byte(UInt8(ascii: ":"))
        padded(rem / 60 % 60, 2)
        byte(UInt8(ascii: ":"))
        padded(rem % 60, 2)
        byte(UInt8(ascii: "."))
        padded(fraction, 9)
        raw("Z\"")
    }


}
