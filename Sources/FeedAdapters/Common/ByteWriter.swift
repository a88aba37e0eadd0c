import MarketData

/// Formats wire JSON straight into bytes: several times cheaper than string interpolation of every Double
/// (same approach as MarketData's internal `JSONBytes`, which is not visible outside that module).
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    @inline(__always)
    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func quoted(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                bytes.append(UInt8(ascii: "\\"))
                bytes.append(b)
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(hex.utf8Start[Int(b >> 4)])
                bytes.append(hex.utf8Start[Int(b & 0xF)])
            default:
                bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// For strings already validated to need no escaping (normalised symbols, venue names).
    mutating func unquotedSafe(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    mutating func integer(_ value: Int64) {
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
            unsigned(value.magnitude)
        } else {
            unsigned(UInt64(value))
        }
    }

    mutating func unsigned(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[23 - count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            bytes.append(contentsOf: d[(24 - count)...])
        }
    }

    /// Fixed-width zero-padded digits, for dates.
    private mutating func padded(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

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
        bytes.append(UInt8(ascii: "\""))
        padded(y, 4)
        bytes.append(UInt8(ascii: "-"))
        padded(m, 2)
        bytes.append(UInt8(ascii: "-"))
        padded(d, 2)
        bytes.append(UInt8(ascii: "T"))
        padded(rem / 3600, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(rem / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":"))
        padded(rem % 60, 2)
        bytes.append(UInt8(ascii: "."))
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

    /// Prices and quantities have at most 8 fraction digits: when `d` is exactly the nearest double to m / 10^8,
    /// printing m with the point put back reads back as `d`; anything else falls back to Swift's shortest round-trip text.
    mutating func number(_ d: Double) {
        let scaled = (d * 1e8).rounded()
        guard d.isFinite, abs(scaled) < 9_007_199_254_740_992, scaled / 1e8 == d else {
            bytes.append(contentsOf: (d.isFinite ? d.description : "null").utf8)
            return
        }
        var m = Int64(scaled)
        if m < 0 {
            bytes.append(UInt8(ascii: "-"))
            m = -m
        }
        unsigned(UInt64(m / 100_000_000))
        var fraction = m % 100_000_000
        guard fraction != 0 else { return }
        var width = 8
        while fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        bytes.append(UInt8(ascii: "."))
        padded(fraction, width)
    }

    mutating func levels(_ levels: [PriceLevel]) {
        bytes.append(UInt8(ascii: "["))
        for k in levels.indices {
            if k > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "["))
            number(levels[k].price)
            bytes.append(UInt8(ascii: ","))
            number(levels[k].quantity)
            bytes.append(UInt8(ascii: "]"))
        }
        bytes.append(UInt8(ascii: "]"))
    }
}
