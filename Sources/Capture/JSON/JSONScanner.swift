/// A small scanner for the few JSON envelopes we read (cryptofeed v3, our recordings), without Foundation.
/// It walks one object's members; nested values are skipped as raw ranges.
struct JSONScanner {
    /// A member value: strings decoded to UTF-8 bytes, everything else as its raw byte range.
    enum Value {
        case string([UInt8])
        case number(Range<Int>)
        case object(Range<Int>)
        case other(Range<Int>)
    }

    struct Failure: Error {
        var message: String
        var offset: Int
    }

    let bytes: [UInt8]
    var pos: Int

    init(_ bytes: [UInt8], from: Int = 0) {
        self.bytes = bytes
        pos = from
    }

    /// Reads one object from `pos`, calling `member` with each key and value.
    mutating func object(_ member: (String, Value) throws(Failure) -> Void) throws(Failure) {
        skipSpace()
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek() == UInt8(ascii: "}") { pos += 1; return }
        while true {
            skipSpace()
            let key = String(decoding: try string(), as: UTF8.self)
            skipSpace()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            let v = try value()
            try member(key, v)
            skipSpace()
            guard let c = peek() else { throw Failure(message: "object not closed", offset: pos) }
            pos += 1
            if c == UInt8(ascii: "}") { return }
            if c != UInt8(ascii: ",") { throw Failure(message: "expected ',' or '}'", offset: pos - 1) }
        }
    }

    /// After the object: only whitespace may follow.
    mutating func end() throws(Failure) {
        skipSpace()
        if pos != bytes.count { throw Failure(message: "unexpected bytes after the object", offset: pos) }
    }

    mutating func value() throws(Failure) -> Value {
        guard let c = peek() else { throw Failure(message: "value expected", offset: pos) }
        let s = pos
        switch c {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            try skipNested()
            return c == UInt8(ascii: "{") ? .object(s..<pos) : .other(s..<pos)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            while let d = peek(), d == UInt8(ascii: "-") || d == UInt8(ascii: "+") || d == UInt8(ascii: ".")
                || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") || (d >= 0x30 && d <= 0x39) { pos += 1 }
            return .number(s..<pos)
        default:
            for lit in ["true", "false", "null"] where matches(lit) {
                pos += lit.utf8.count
                return .other(s..<pos)
            }
            throw Failure(message: "unexpected character '\(Character(Unicode.Scalar(c)))'", offset: pos)
        }
    }

    /// A string at `pos`, decoded (escapes resolved, \u surrogate pairs joined).
    mutating func string() throws(Failure) -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        var runStart = pos
        while pos < bytes.count {
            let c = bytes[pos]
            if c == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<pos])
                pos += 1
                return out
            }
            if c == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<pos])
                pos += 1
                guard pos < bytes.count else { break }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xd800 && scalar < 0xdc00, matches("\\u") {
                        pos += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low &- 0xdc00)
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{fffd}"
                    out.append(contentsOf: Array(String(Character(u)).utf8))
                default: throw Failure(message: "bad escape '\\\(Character(Unicode.Scalar(e)))'", offset: pos - 1)
                }
                runStart = pos
                continue
            }
            pos += 1
        }
        throw Failure(message: "string not closed", offset: pos)
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw Failure(message: "short \\u escape", offset: pos) }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[pos]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw Failure(message: "bad hex digit in \\u escape", offset: pos)
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    private mutating func skipNested() throws(Failure) {
        var depth = 0
        while pos < bytes.count {
            let c = bytes[pos]
            switch c {
            case UInt8(ascii: "\""): _ = try string(); continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { pos += 1; return }
            default: break
            }
            pos += 1
        }
        throw Failure(message: "object or array not closed", offset: pos)
    }

    private func peek() -> UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private func matches(_ literal: String) -> Bool {
        let u = Array(literal.utf8)
        return pos + u.count <= bytes.count && Array(bytes[pos..<(pos + u.count)]) == u
    }

    private mutating func expect(_ c: UInt8) throws(Failure) {
        guard peek() == c else {
            throw Failure(message: "expected '\(Character(Unicode.Scalar(c)))'", offset: pos)
        }
        pos += 1
    }

    mutating func skipSpace() {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x09 || bytes[pos] == 0x0a || bytes[pos] == 0x0d { pos += 1 }
    }
}
