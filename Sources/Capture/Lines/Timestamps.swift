import RiskSignalCore

/// Parsing of the timestamp notations recordings use, exactly (no Double rounding for decimals).
enum Timestamps {
    /// Decimal seconds such as "1618677817.0618958" → nanoseconds, truncating past 9 fraction digits.
    static func secondsToNanos(_ b: some Collection<UInt8>) -> Int64? {
        var seconds: Int64 = 0
        var frac: Int64 = 0
        var fracDigits = 0
        var sawDot = false
        var digits = 0
        for c in b {
            if c == UInt8(ascii: ".") {
                if sawDot { return nil }
                sawDot = true
                continue
            }
            guard c >= 0x30 && c <= 0x39 else {
                // Exponent notation is rare; fall back to Double for it.
                if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                    guard let d = Double(String(decoding: b, as: UTF8.self)) else { return nil }
                    return try? EpochUnit.seconds.nanos(d, field: "timestamp")
                }
                return nil
            }
            digits += 1
            if sawDot {
                if fracDigits < 9 { frac = frac * 10 + Int64(c - 0x30); fracDigits += 1 }
            } else {
                if seconds > 9_000_000_000 { return nil }
                seconds = seconds * 10 + Int64(c - 0x30)
            }
        }
        if digits == 0 { return nil }
        while fracDigits < 9 { frac *= 10; fracDigits += 1 }
        // Checked: seconds past 2262 do not fit Int64 nanoseconds, and the line is reported as bad instead.
        guard let whole = try? EpochUnit.seconds.nanos(seconds, field: "timestamp") else { return nil }
        let (total, overflow) = whole.addingReportingOverflow(frac)
        return overflow ? nil : total
    }

    /// An unsigned decimal integer that fits Int64.
    static func integer(_ b: some Collection<UInt8>) -> Int64? {
        var v: Int64 = 0
        var n = 0
        for c in b {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 0x30))
            if o1 || o2 { return nil }
            v = a
            n += 1
        }
        return n == 0 ? nil : v
    }
}
