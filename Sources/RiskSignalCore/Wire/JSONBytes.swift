/// The one byte-level JSON writer: formatting straight into bytes is several times cheaper than string
/// interpolation of every Double, and a window can carry hundreds of levels. The book normaliser, the feed
/// adapters and the recording writer all write with it.
public struct JSONBytes {
    @usableFromInline var storage: [UInt8] = []

    /// What was written so far.
    @inlinable public var bytes: [UInt8] { storage }

    @inlinable public init(capacity: Int) { storage.reserveCapacity(capacity) }

    @inlinable
    public var string: String { String(decoding: storage, as: UTF8.self) }

    @inlinable
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { storage.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func byte(_ b: UInt8) { storage.append(b) }

    /// Text known to need no escaping (normalised symbols, venue names), written as is.
    @inlinable
    public mutating func unescaped(_ s: String) {
        storage.append(contentsOf: s.utf8)
    }

    @inlinable
    public mutating func quoted(_ s: String) {
        Self.appendQuoted(s.utf8, to: &storage)
    }

    /// Appends `bytes` (valid UTF-8) as a JSON string literal to a byte buffer; only `"`, `\` and control
    /// characters are escaped.
    @inlinable
    public static func appendQuoted(_ text: some Collection<UInt8>, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for c in text {
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(c)
            case 0x0a: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0d: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hex.utf8Start[Int(c >> 4)])
                out.append(hex.utf8Start[Int(c & 0xF)])
            default: out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    @inlinable
    public mutating func integer(_ value: Int64) {
        if value < 0 {
            storage.append(UInt8(ascii: "-"))
            // Int64.min has no positive counterpart; magnitude handles it.
            unsigned(value.magnitude)
        } else {
            unsigned(UInt64(value))
        }
    }

    @inlinable
    public mutating func unsigned(_ value: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[19 - count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            } while v > 0
            storage.append(contentsOf: d[(20 - count)...])
        }
    }

    /// Prices and quantities are decimals with at most 8 fraction digits. When `d` is exactly the nearest
    /// double to m / 10^8 for an integer m, printing m with the point put back reads back as `d`; anything
    /// else falls back to Swift's shortest round-trip text. Either form is valid JSON.
    @inlinable
    public mutating func number(_ d: Double) {
        let scaled = (d * 1e8).rounded()
        guard d.isFinite, abs(scaled) < 9_007_199_254_740_992, scaled / 1e8 == d else {
            storage.append(contentsOf: (d.isFinite ? d.description : "null").utf8)
            return
        }
        var m = Int64(scaled)
        if m < 0 {
            storage.append(UInt8(ascii: "-"))
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
        storage.append(UInt8(ascii: "."))
        padded(fraction, width)
    }

    /// Fixed-width zero-padded digits (fractions, dates).
    @inlinable
    public mutating func padded(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            storage.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// `"YYYY-MM-DDTHH:MM:SS.fffffffffZ"`: an instant as a quoted ISO-8601 string with a 9-digit fraction, which
    /// `ISO8601` reads back exactly.
    @inlinable
    public mutating func iso8601(nanos: Int64) {
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
