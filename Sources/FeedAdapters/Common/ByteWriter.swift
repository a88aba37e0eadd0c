import MarketData

/// The adapters write wire JSON with MarketData's byte writer, plus event times in the wire's two forms.
typealias ByteWriter = JSONBytes

extension JSONBytes {
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
        let (y, m, d) = Self.civil(fromDays: days)
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

    /// Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }

}
