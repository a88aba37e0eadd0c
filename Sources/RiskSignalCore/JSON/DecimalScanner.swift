/// Converts JSON numbers to doubles in one pass, validating as it goes: shared by every hand-written parser here.
public enum DecimalScanner {
    /// The number starting at `i` (which ends past it), or nil when the bytes there are not a JSON number; what
    /// may follow the number is for the caller to check.
    ///
    /// With at most 15 significant digits and a decimal exponent within ±22, the mantissa and the power of ten
    /// are both exact doubles, so one multiplication or division is correctly rounded (Clinger's fast path).
    /// That covers every price and quantity exchanges print; anything longer goes through the correctly
    /// rounding `Double(String)`.
    @inlinable
    public static func scan(_ buf: UnsafeRawBufferPointer, _ i: inout Int) -> Double? {
        let start = i
        let n = buf.count
        var negative = false
        if i < n, buf[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < n, buf[i] &- UInt8(ascii: "0") < 10 else { return nil }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        if buf[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while i < n {
                let d = buf[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if significant < 19 { mantissa = mantissa &* 10 &+ UInt64(d) } else { exponent += 1 }
                significant += 1
                i += 1
            }
        }
        if i < n, buf[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < n {
                let d = buf[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if mantissa == 0 && d == 0 {
                    exponent -= 1  // leading zeros only shift the point
                } else {
                    if significant < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        exponent -= 1
                    }
                    significant += 1
                }
                i += 1
            }
            guard i > fractionStart else { return nil }
        }
        if i < n, buf[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            var exponentNegative = false
            if i < n, buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-") {
                exponentNegative = buf[i] == UInt8(ascii: "-")
                i += 1
            }
            let digitsStart = i
            var e = 0
            while i < n {
                let d = buf[i] &- UInt8(ascii: "0")
                guard d < 10 else { break }
                if e < 100_000 { e = e * 10 + Int(d) }
                i += 1
            }
            guard i > digitsStart else { return nil }
            exponent += exponentNegative ? -e : e
        }
        if significant <= 15, exponent >= -22, exponent <= 22 {
            let m = Double(mantissa)
            let v = exponent >= 0 ? m * powerOfTen(exponent) : m / powerOfTen(-exponent)
            return negative ? -v : v
        }
        return Double(String(decoding: UnsafeRawBufferPointer(rebasing: buf[start..<i]), as: UTF8.self))
    }

    /// Exact powers of ten, 10^0 ... 10^22 (the largest exactly representable); a switch avoids a global array's
    /// lazy-initialisation check and retain on every call.
    @inlinable @inline(__always)
    public static func powerOfTen(_ e: Int) -> Double {
        switch e {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

}
