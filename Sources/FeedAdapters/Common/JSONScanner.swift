import MarketData
import RiskSignalCore
/// One `"key": value` of a JSON object, as byte offsets into the scanned buffer (key without its quotes).
struct JSONField {
    var keyStart: Int
    var keyEnd: Int
    var value: Int
}

/// A validating, allocation-light cursor over one JSON message: objects become a small list of field offsets and
/// values are converted only when an adapter asks for them. Exchange messages are read once and mostly skipped, so
/// building a `[String: JSONValue]` tree (or going through JSONSerialization/Codable) would cost far more than the
/// few fields actually used.
struct JSONScanner {
    let buf: UnsafeRawBufferPointer

    init(_ buf: UnsafeRawBufferPointer) { self.buf = buf }

    // MARK: Structure

    @inline(__always)
    func skipWhitespace(_ i: inout Int) {
        while i < buf.count {
            let c = buf[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    /// The fields of the message's top-level object; nothing but blanks may follow it.
    func rootFields() throws(AdapterError) -> [JSONField] {
        var i = 0
        skipWhitespace(&i)
        guard i < buf.count, buf[i] == UInt8(ascii: "{") else {
            throw AdapterError.malformed("$", "expected a JSON object, got \(describe(i))")
        }
        var end = 0
        let out = try fields(i, path: "$", end: &end)
        skipWhitespace(&end)
        guard end == buf.count else { throw AdapterError.malformed("$", "unexpected data after the JSON object at byte \(end)") }
        return out
    }

    func isObject(_ at: Int) -> Bool { at < buf.count && buf[at] == UInt8(ascii: "{") }
    func isArray(_ at: Int) -> Bool { at < buf.count && buf[at] == UInt8(ascii: "[") }
    func isNull(_ at: Int) -> Bool { at + 4 <= buf.count && buf[at] == UInt8(ascii: "n") && buf[at + 1] == UInt8(ascii: "u") }

    /// The fields of the object at `at`, in message order.
    func fields(_ at: Int, path: @autoclosure () -> String) throws(AdapterError) -> [JSONField] {
        var end = 0
        return try fields(at, path: path(), end: &end)
    }

    func fields(_ at: Int, path: @autoclosure () -> String, end: inout Int) throws(AdapterError) -> [JSONField] {
        guard isObject(at) else { throw AdapterError.malformed(path(), "expected an object, got \(describe(at))") }
        var out: [JSONField] = []
        out.reserveCapacity(12)
        var i = at + 1
        skipWhitespace(&i)
        if i < buf.count, buf[i] == UInt8(ascii: "}") { end = i + 1; return out }
        while true {
            skipWhitespace(&i)
            guard i < buf.count, buf[i] == UInt8(ascii: "\"") else {
                throw AdapterError.malformed(path(), "expected a field name in double quotes at byte \(i)")
            }
            let keyStart = i + 1
            let keyEnd = try endOfString(&i, path: path())
            skipWhitespace(&i)
            guard i < buf.count, buf[i] == UInt8(ascii: ":") else { throw AdapterError.malformed(path(), "expected ':' at byte \(i)") }
            i += 1
            skipWhitespace(&i)
            out.append(JSONField(keyStart: keyStart, keyEnd: keyEnd, value: i))
            try skipValue(&i, path: path(), depth: 1)
            skipWhitespace(&i)
            guard i < buf.count else { throw AdapterError.malformed(path(), "unterminated object") }
            let c = buf[i]
            i += 1
            if c == UInt8(ascii: "}") { end = i; return out }
            guard c == UInt8(ascii: ",") else { throw AdapterError.malformed(path(), "expected ',' or '}' at byte \(i - 1)") }
        }
    }

    /// Calls `body` with the offset of each element of the array at `at` and its index.
    func forEachElement(
        _ at: Int, path: @autoclosure () -> String, _ body: (Int, Int) throws(AdapterError) -> Void
    ) throws(AdapterError) {
        guard isArray(at) else { throw AdapterError.malformed(path(), "expected an array, got \(describe(at))") }
        var i = at + 1
        skipWhitespace(&i)
        if i < buf.count, buf[i] == UInt8(ascii: "]") { return }
        var index = 0
        while true {
            skipWhitespace(&i)
            let start = i
            try skipValue(&i, path: path(), depth: 1)
            try body(start, index)
            index += 1
            skipWhitespace(&i)
            guard i < buf.count else { throw AdapterError.malformed(path(), "unterminated array") }
            let c = buf[i]
            i += 1
            if c == UInt8(ascii: "]") { return }
            guard c == UInt8(ascii: ",") else { throw AdapterError.malformed(path(), "expected ',' or ']' at byte \(i - 1)") }
        }
    }

    /// Consumes the string at `i` (a quote) and returns where its content ends.
    private func endOfString(_ i: inout Int, path: @autoclosure () -> String) throws(AdapterError) -> Int {
        i += 1
        while i < buf.count {
            let c = buf[i]
            if c == UInt8(ascii: "\"") {
                let end = i
                i += 1
                return end
            }
            if c == UInt8(ascii: "\\") { i += 2; continue }
            if c < 0x20 { throw AdapterError.malformed(path(), "control character inside a string at byte \(i)") }
            i += 1
        }
        throw AdapterError.malformed(path(), "unterminated string")
    }

    /// Skips one value, checking its syntax; depth-limited so hostile nesting cannot exhaust the stack.
    func skipValue(_ i: inout Int, path: @autoclosure () -> String, depth: Int) throws(AdapterError) {
        guard depth < 32 else { throw AdapterError.malformed(path(), "nested deeper than 32 levels") }
        skipWhitespace(&i)
        guard i < buf.count else { throw AdapterError.malformed(path(), "expected a value, got end of input") }
        let c = buf[i]
        switch c {
        case UInt8(ascii: "\""):
            _ = try endOfString(&i, path: path())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = c == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipWhitespace(&i)
            if i < buf.count, buf[i] == close { i += 1; return }
            while true {
                if isObject {
                    skipWhitespace(&i)
                    guard i < buf.count, buf[i] == UInt8(ascii: "\"") else {
                        throw AdapterError.malformed(path(), "expected a field name in double quotes at byte \(i)")
                    }
                    _ = try endOfString(&i, path: path())
                    skipWhitespace(&i)
                    guard i < buf.count, buf[i] == UInt8(ascii: ":") else { throw AdapterError.malformed(path(), "expected ':' at byte \(i)") }
                    i += 1
                }
                try skipValue(&i, path: path(), depth: depth + 1)
                skipWhitespace(&i)
                guard i < buf.count else { throw AdapterError.malformed(path(), "unterminated \(isObject ? "object" : "array")") }
                let n = buf[i]
                i += 1
                if n == close { return }
                guard n == UInt8(ascii: ",") else { throw AdapterError.malformed(path(), "expected ',' at byte \(i - 1)") }
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            let word: StaticString = c == UInt8(ascii: "t") ? "true" : c == UInt8(ascii: "f") ? "false" : "null"
            guard matches(i, word) else { throw AdapterError.malformed(path(), "invalid literal at byte \(i)") }
            i += word.utf8CodeUnitCount
        default:
            var k = i
            guard scanNumber(&k) != nil else { throw AdapterError.malformed(path(), "expected a value at byte \(i)") }
            i = k
        }
    }

    // MARK: Lookup

    @inline(__always)
    func matches(_ at: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard at + n <= buf.count else { return false }
        let p = word.utf8Start
        for k in 0..<n where buf[at + k] != p[k] { return false }
        return true
    }

    @inline(__always)
    func keyIs(_ f: JSONField, _ word: StaticString) -> Bool {
        f.keyEnd - f.keyStart == word.utf8CodeUnitCount && matches(f.keyStart, word)
    }

    /// The value offset of `key`, or nil when absent or null.
    func value(_ fields: [JSONField], _ key: StaticString) -> Int? {
        for f in fields where keyIs(f, key) { return isNull(f.value) ? nil : f.value }
        return nil
    }

    // MARK: Values

    /// The raw content of the string at `at` (escapes left as they are: the fields read this way are ids and codes).
    func stringRange(_ at: Int) -> Range<Int>? {
        guard at < buf.count, buf[at] == UInt8(ascii: "\"") else { return nil }
        var k = at + 1
        while k < buf.count, buf[k] != UInt8(ascii: "\"") { k += buf[k] == UInt8(ascii: "\\") ? 2 : 1 }
        return (at + 1)..<min(k, buf.count)
    }

    func string(_ at: Int) -> String? {
        stringRange(at).map { String(decoding: UnsafeRawBufferPointer(rebasing: buf[$0]), as: UTF8.self) }
    }

    func stringIs(_ at: Int, _ word: StaticString) -> Bool {
        guard let r = stringRange(at) else { return false }
        return r.count == word.utf8CodeUnitCount && matches(r.lowerBound, word)
    }

    /// A JSON number or a numeric string ("43000.10"), as exchanges send prices either way.
    func double(_ at: Int) -> Double? {
        var k = at
        if at < buf.count, buf[at] == UInt8(ascii: "\"") {
            k += 1
            guard let v = scanNumber(&k), k < buf.count, buf[k] == UInt8(ascii: "\"") else { return nil }
            return v
        }
        return scanNumber(&k)
    }

    /// A non-negative integer, as a JSON number or a string of digits.
    func int64(_ at: Int) -> Int64? {
        var k = at
        let quoted = at < buf.count && buf[at] == UInt8(ascii: "\"")
        if quoted { k += 1 }
        let start = k
        var v: Int64 = 0
        while k < buf.count {
            let d = buf[k] &- UInt8(ascii: "0")
            guard d < 10 else { break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = a
            k += 1
        }
        guard k > start else { return nil }
        if quoted { return k < buf.count && buf[k] == UInt8(ascii: "\"") ? v : nil }
        return isDelimiter(k) ? v : nil
    }

    func bool(_ at: Int) -> Bool? {
        if matches(at, "true") { return true }
        if matches(at, "false") { return false }
        return nil
    }

    @inline(__always)
    private func isDelimiter(_ k: Int) -> Bool {
        guard k < buf.count else { return true }
        let c = buf[k]
        return c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "\"")
            || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    /// Validates and converts a number in one pass (MarketData's `DecimalScanner`), then checks what follows it.
    func scanNumber(_ i: inout Int) -> Double? {
        guard let v = DecimalScanner.scan(buf, &i), isDelimiter(i) else { return nil }
        return v
    }

    func describe(_ at: Int) -> String {
        guard at < buf.count else { return "end of input" }
        switch buf[at] {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""):
            let r = stringRange(at)!
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: buf[r.lowerBound..<min(r.upperBound, r.lowerBound + 40)]), as: UTF8.self)
            return "\"\(text)\(r.count > 40 ? "…" : "")\""
        default:
            var k = at
            while k < buf.count, k - at < 40, !isDelimiter(k) { k += 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: buf[at..<max(k, at + 1)]), as: UTF8.self)
        }
    }
}
