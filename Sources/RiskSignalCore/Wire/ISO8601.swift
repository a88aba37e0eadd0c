/// The one ISO-8601 reader for the wire: event times in signals, L2 messages and exchange feeds, straight from bytes.
///
/// Accepted (the union of what the three earlier readers in RiskSignalCore, MarketData and FeedAdapters took):
/// - `YYYY-MM-DD` `T` `HH:MM:SS`, the separator also `t` or a space (`2025-11-22 18:00:00Z`);
/// - an optional fraction after `.` or `,`, of any length (digits past the ninth are dropped, not rounded);
/// - a zone, which is required: `Z` or `z`, `±HH:MM`, or `±HHMM`;
/// - second 60 (a leap second reads as the first second of the next minute).
///
/// Refused (nil): anything else, including a time without a zone (ambiguous), a date that does not exist
/// (`2026-02-30`, month 13, hour 24), an offset of 24 hours or more or with minutes ≥ 60, trailing bytes, and
/// instants outside the `Int64` nanosecond range (years before 1677 or after 2262).
public enum ISO8601 {
    /// Nanoseconds since the Unix epoch of the text in `buf[range]`, or nil when it is not one of the accepted forms.
    @inlinable
    public static func nanos(_ buf: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int64? {
        let s = range.lowerBound, e = range.upperBound
        @inline(__always) func num(_ at: Int, _ len: Int) -> Int64? {
            guard at + len <= e else { return nil }
            var v: Int64 = 0
            for k in at..<(at + len) {
                let d = buf[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        @inline(__always) func byte(_ at: Int) -> UInt8? { at < e ? buf[at] : nil }
        guard let y = num(s, 4), byte(s + 4) == UInt8(ascii: "-"), let mo = num(s + 5, 2), byte(s + 7) == UInt8(ascii: "-"),
              let d = num(s + 8, 2), let t = byte(s + 10), t == UInt8(ascii: "T") || t == UInt8(ascii: "t") || t == UInt8(ascii: " "),
              let h = num(s + 11, 2), byte(s + 13) == UInt8(ascii: ":"), let mi = num(s + 14, 2),
              byte(s + 16) == UInt8(ascii: ":"), let sec = num(s + 17, 2),
              mo >= 1, mo <= 12, d >= 1, d <= daysInMonth(y, mo), h < 24, mi < 60, sec <= 60
        else { return nil }
        var k = s + 19
        var fraction: Int64 = 0
        if let p = byte(k), p == UInt8(ascii: ".") || p == UInt8(ascii: ",") {
            k += 1
            var count = 0
            while let c = byte(k), c &- UInt8(ascii: "0") < 10 {
                if count < 9 { fraction = fraction * 10 + Int64(c &- UInt8(ascii: "0")) }
                count += 1
                k += 1
            }
            guard count > 0 else { return nil }
            for _ in min(count, 9)..<9 { fraction *= 10 }
        }
        var offsetSeconds: Int64 = 0
        guard let z = byte(k) else { return nil }  // a time without a zone is ambiguous, so it is refused
        if z == UInt8(ascii: "Z") || z == UInt8(ascii: "z") {
            k += 1
        } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
            guard let oh = num(k + 1, 2), oh < 24 else { return nil }
            let om: Int64
            if byte(k + 3) == UInt8(ascii: ":") {
                guard let m = num(k + 4, 2) else { return nil }
                om = m
                k += 6
            } else {
                guard let m = num(k + 3, 2) else { return nil }
                om = m
                k += 5
            }
            guard om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (z == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        guard k == e else { return nil }
        let days = Timestamp.days(fromCivil: y, mo, d)
        let seconds = days * 86_400 + h * 3600 + mi * 60 + sec - offsetSeconds
        // Nanoseconds in Int64 end in 2262; later years are refused rather than wrapped.
        let (nanos, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = nanos.addingReportingOverflow(fraction)
        return overflow2 ? nil : total
    }

    /// Same, for text.
    public static func nanos(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { nanos(UnsafeRawBufferPointer($0), 0..<$0.count) }
    }

    @inlinable
    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
