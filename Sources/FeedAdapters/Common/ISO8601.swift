/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` to nanoseconds since the epoch, straight from message bytes
/// (Coinbase and BitMEX times); nil for anything else, including a time without a zone.
enum ISO8601 {
    static func nanos(_ buf: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int64? {
        let s = r.lowerBound, e = r.upperBound
        func num(_ at: Int, _ len: Int) -> Int64? {
            guard at + len <= e else { return nil }
            var v: Int64 = 0
            for k in at..<(at + len) {
                let d = buf[k] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                v = v * 10 + Int64(d)
            }
            return v
        }
        func byte(_ at: Int) -> UInt8? { at < e ? buf[at] : nil }
        guard let y = num(s, 4), byte(s + 4) == UInt8(ascii: "-"), let mo = num(s + 5, 2), byte(s + 7) == UInt8(ascii: "-"),
              let d = num(s + 8, 2), let t = byte(s + 10), t == UInt8(ascii: "T") || t == UInt8(ascii: " "),
              let h = num(s + 11, 2), byte(s + 13) == UInt8(ascii: ":"), let mi = num(s + 14, 2),
              byte(s + 16) == UInt8(ascii: ":"), let sec = num(s + 17, 2),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, sec < 61
        else { return nil }
        var k = s + 19
        var fraction: Int64 = 0
        if byte(k) == UInt8(ascii: ".") {
            k += 1
            var count = 0
            while let c = byte(k), c &- UInt8(ascii: "0") < 10 {
                if count < 9 { fraction = fraction * 10 + Int64(c - UInt8(ascii: "0")) }
                count += 1
                k += 1
            }
            guard count > 0 else { return nil }
            for _ in min(count, 9)..<9 { fraction *= 10 }
        }
        var offset: Int64 = 0
        guard let z = byte(k) else { return nil }
        if z == UInt8(ascii: "Z") {
            k += 1
        } else if z == UInt8(ascii: "+") || z == UInt8(ascii: "-") {
            guard let oh = num(k + 1, 2), byte(k + 3) == UInt8(ascii: ":"), let om = num(k + 4, 2) else { return nil }
            offset = (oh * 3600 + om * 60) * (z == UInt8(ascii: "-") ? -1 : 1)
            k += 6
        } else {
            return nil
        }
        guard k == e else { return nil }
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1
        let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
        return (days * 86_400 + h * 3600 + mi * 60 + sec - offset) * 1_000_000_000 + fraction
    }
}
