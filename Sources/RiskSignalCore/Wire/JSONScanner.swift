/// One `"key": value` of a JSON object, as byte offsets into the scanned buffer (key without its quotes).
public struct JSONField: Sendable, Hashable {
    public var keyStart: Int
    public var keyEnd: Int
    /// Offset of the value's first byte.
    public var value: Int
    /// The key has backslash escapes, so its raw bytes are not its text (see `JSONScanner.key(_:)`).
    public var keyEscaped: Bool

    @inlinable
    public init(keyStart: Int, keyEnd: Int, value: Int, keyEscaped: Bool = false) {
        self.keyStart = keyStart
        self.keyEnd = keyEnd
        self.value = value
        self.keyEscaped = keyEscaped
    }
}

/// Where and why `JSONScanner` rejected its input: a 0-based byte offset and what was expected there.
public struct JSONScanError: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var message: String

    @inlinable
    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "\(message) at byte \(offset)" }
}

/// The one byte-level JSON reader of the wire: validating, allocation-light, byte offsets instead of a value tree.
///
/// Messages on the hot paths (L2 diffs, exchange feeds, capture envelopes) are read once and mostly skipped, so
/// building a value tree (or going through JSONSerialization/Codable) would cost far more than the few fields
/// used. Callers hold a cursor `i` and call the lexing primitives (`skipWhitespace`, `scanString`, `scanNumber`,
/// `skipValue`), or list an object's fields and convert only the values they need. `JSONParser` builds
/// `JSONValue` trees with the same escape decoding (`JSONEscape`).
public struct JSONScanner {
    public let buf: UnsafeRawBufferPointer
    /// Containers nested deeper than this are refused, so hostile nesting cannot exhaust the stack.
    public static let maxDepth = 32

    @inlinable
    public init(_ buf: UnsafeRawBufferPointer) { self.buf = buf }

    // MARK: Lexing

    @inlinable @inline(__always)
    public static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    @inlinable @inline(__always)
    public func peek(_ i: Int) -> UInt8? { i < buf.count ? buf[i] : nil }

    @inlinable @inline(__always)
    public func skipWhitespace(_ i: inout Int) {
        while i < buf.count {
            guard Self.isWhitespace(buf[i]) else { return }
            i += 1
        }
    }

    /// What may follow a scalar: end of input, `,` `]` `}` `"` or whitespace ("12abc" is not a number).
    @inlinable @inline(__always)
    public func isDelimiter(_ k: Int) -> Bool {
        guard k < buf.count else { return true }
        let c = buf[k]
        return c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "\"")
            || Self.isWhitespace(c)
    }

    /// The bytes at `at` start with `word`.
    @inlinable @inline(__always)
    public func matches(_ at: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard at >= 0, at + n <= buf.count else { return false }
        let p = word.utf8Start
        for k in 0..<n where buf[at + k] != p[k] { return false }
        return true
    }

    /// The bytes of `range` are exactly `word`.
    @inlinable @inline(__always)
    public func bytesEqual(_ range: Range<Int>, _ word: StaticString) -> Bool {
        range.count == word.utf8CodeUnitCount && matches(range.lowerBound, word)
    }

    /// Consumes the string whose opening quote is at `i`; returns its content range (escapes not decoded) and
    /// whether it has escapes. Raw control characters are refused, as JSON requires.
    @inlinable
    public func scanString(_ i: inout Int) throws(JSONScanError) -> (content: Range<Int>, escaped: Bool) {
        let start = i + 1
        i = start
        var escaped = false
        while i < buf.count {
            let c = buf[i]
            if c == UInt8(ascii: "\"") {
                let end = i
                i += 1
                return (start..<end, escaped)
            }
            if c == UInt8(ascii: "\\") {
                escaped = true
                try checkEscape(&i)
                continue
            }
            if c < 0x20 { throw JSONScanError(offset: i, message: "control character inside a string") }
            i += 1
        }
        i = buf.count
        throw JSONScanError(offset: i, message: "unterminated string")
    }

    /// Validates the escape whose backslash is at `i` and moves past it.
    @usableFromInline
    func checkEscape(_ i: inout Int) throws(JSONScanError) {
        guard i + 1 < buf.count else {
            i = buf.count
            throw JSONScanError(offset: i, message: "unterminated string")
        }
        let esc = buf[i + 1]
        if esc == UInt8(ascii: "u") {
            guard i + 6 <= buf.count, JSONEscape.hex4(buf, i + 2) != nil else {
                throw JSONScanError(offset: i, message: "\\u must be followed by 4 hex digits")
            }
            i += 6
        } else {
            guard JSONEscape.simple(esc) != nil else {
                throw JSONScanError(offset: i, message: "invalid escape '\\\(Character(Unicode.Scalar(esc)))' in a string")
            }
            i += 2
        }
    }

    /// The UTF-8 bytes of a string's content with its escapes decoded (`\u` surrogate pairs joined, a lone
    /// surrogate as U+FFFD).
    public func unescaped(_ content: Range<Int>) throws(JSONScanError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(content.count)
        var k = content.lowerBound
        let e = content.upperBound
        var pendingHigh: UInt32?
        while k < e {
            let c = buf[k]
            guard c == UInt8(ascii: "\\") else {
                if let h = pendingHigh { JSONEscape.appendUTF8(h, to: &out); pendingHigh = nil }
                out.append(c)
                k += 1
                continue
            }
            guard k + 1 < e else { throw JSONScanError(offset: k, message: "dangling backslash in a string") }
            let esc = buf[k + 1]
            if esc == UInt8(ascii: "u") {
                guard k + 6 <= e, let v = JSONEscape.hex4(buf, k + 2) else {
                    throw JSONScanError(offset: k, message: "\\u must be followed by 4 hex digits")
                }
                k += 6
                if let h = pendingHigh {
                    pendingHigh = nil
                    if (0xDC00...0xDFFF).contains(v) {
                        JSONEscape.appendUTF8(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00), to: &out)
                        continue
                    }
                    JSONEscape.appendUTF8(h, to: &out)
                }
                if (0xD800...0xDBFF).contains(v) { pendingHigh = v } else { JSONEscape.appendUTF8(v, to: &out) }
                continue
            }
            if let h = pendingHigh { JSONEscape.appendUTF8(h, to: &out); pendingHigh = nil }
            guard let b = JSONEscape.simple(esc) else {
                throw JSONScanError(offset: k, message: "invalid escape '\\\(Character(Unicode.Scalar(esc)))' in a string")
            }
            out.append(b)
            k += 2
        }
        if let h = pendingHigh { JSONEscape.appendUTF8(h, to: &out) }
        return out
    }

    /// A string's text: straight from the buffer when it has no escapes, decoded otherwise.
    @inlinable
    public func text(_ content: Range<Int>, escaped: Bool) throws(JSONScanError) -> String {
        if !escaped { return String(decoding: UnsafeRawBufferPointer(rebasing: buf[content]), as: UTF8.self) }
        return String(decoding: try unescaped(content), as: UTF8.self)
    }

    /// Consumes a JSON number at `i` and returns its extent; nil (with `i` unspecified) when the bytes there are
    /// not one or run into something other than a delimiter.
    @inlinable
    public func scanNumber(_ i: inout Int) -> (range: Range<Int>, isInteger: Bool)? {
        let start = i
        if peek(i) == UInt8(ascii: "-") { i += 1 }
        guard let d0 = peek(i), d0 &- UInt8(ascii: "0") < 10 else { return nil }
        i += 1
        if d0 != UInt8(ascii: "0") { skipDigits(&i) }
        var isInteger = true
        if peek(i) == UInt8(ascii: ".") {
            i += 1
            guard skipDigits(&i) > 0 else { return nil }
            isInteger = false
        }
        if let c = peek(i), c | 0x20 == UInt8(ascii: "e") {
            i += 1
            if let s = peek(i), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { i += 1 }
            guard skipDigits(&i) > 0 else { return nil }
            isInteger = false
        }
        guard isDelimiter(i) else { return nil }
        return (start..<i, isInteger)
    }

    @inlinable @inline(__always) @discardableResult
    func skipDigits(_ i: inout Int) -> Int {
        let start = i
        while i < buf.count, buf[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        return i - start
    }

    /// Validates and converts the number at `i` in one pass (`DecimalScanner`), then checks what follows it.
    @inlinable @inline(__always)
    public func scanDouble(_ i: inout Int) -> Double? {
        guard let v = DecimalScanner.scan(buf, &i), isDelimiter(i) else { return nil }
        return v
    }

    /// Unsigned decimal digits only (the whole range), refusing anything that does not fit in `Int64`.
    @inlinable
    public func digits(_ range: Range<Int>) -> Int64? {
        guard !range.isEmpty, range.count <= 19 else { return nil }
        var v: Int64 = 0
        for k in range {
            let d = buf[k] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1, !o2 else { return nil }
            v = a
        }
        return v
    }

    /// Skips any JSON value at `i` (after optional whitespace), validating its syntax.
    public func skipValue(_ i: inout Int, depth: Int = 0) throws(JSONScanError) {
        guard depth < Self.maxDepth else { throw JSONScanError(offset: i, message: "nested deeper than \(Self.maxDepth) levels") }
        skipWhitespace(&i)
        guard let c = peek(i) else { throw JSONScanError(offset: i, message: "expected a value") }
        switch c {
        case UInt8(ascii: "\""):
            _ = try scanString(&i)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let isObject = c == UInt8(ascii: "{")
            let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipWhitespace(&i)
            if peek(i) == close { i += 1; return }
            while true {
                if isObject {
                    skipWhitespace(&i)
                    guard peek(i) == UInt8(ascii: "\"") else { throw JSONScanError(offset: i, message: "expected a field name in double quotes") }
                    _ = try scanString(&i)
                    skipWhitespace(&i)
                    guard peek(i) == UInt8(ascii: ":") else { throw JSONScanError(offset: i, message: "expected ':' after a field name") }
                    i += 1
                }
                try skipValue(&i, depth: depth + 1)
                skipWhitespace(&i)
                guard let n = peek(i) else { throw JSONScanError(offset: i, message: "unterminated \(isObject ? "object" : "array")") }
                if n == close { i += 1; return }
                guard n == UInt8(ascii: ",") else {
                    throw JSONScanError(offset: i, message: "expected ',' or '\(Character(Unicode.Scalar(close)))'")
                }
                i += 1
            }
        case UInt8(ascii: "t"):
            guard matches(i, "true") else { throw JSONScanError(offset: i, message: "expected a value") }
            i += 4
        case UInt8(ascii: "f"):
            guard matches(i, "false") else { throw JSONScanError(offset: i, message: "expected a value") }
            i += 5
        case UInt8(ascii: "n"):
            guard matches(i, "null") else { throw JSONScanError(offset: i, message: "expected a value") }
            i += 4
        default:
            let start = i
            guard scanNumber(&i) != nil else { i = start; throw JSONScanError(offset: i, message: "expected a value") }
        }
    }

    // MARK: Structure

    @inlinable
    public func isObject(_ at: Int) -> Bool { peek(at) == UInt8(ascii: "{") }
    @inlinable
    public func isArray(_ at: Int) -> Bool { peek(at) == UInt8(ascii: "[") }
    @inlinable
    public func isNull(_ at: Int) -> Bool { matches(at, "null") }

    /// The fields of the buffer's top-level object; nothing but whitespace may follow it.
    public func rootFields() throws(JSONScanError) -> [JSONField] {
        var i = 0
        skipWhitespace(&i)
        guard isObject(i) else { throw JSONScanError(offset: i, message: "expected a JSON object, got \(describe(i))") }
        let out = try fields(i, end: &i)
        skipWhitespace(&i)
        guard i == buf.count else { throw JSONScanError(offset: i, message: "unexpected data after the JSON object") }
        return out
    }

    /// The fields of the object at `at`, in message order; `end` is set past its closing brace.
    public func fields(_ at: Int, end: inout Int) throws(JSONScanError) -> [JSONField] {
        guard isObject(at) else { throw JSONScanError(offset: at, message: "expected an object, got \(describe(at))") }
        var out: [JSONField] = []
        out.reserveCapacity(12)
        var i = at + 1
        skipWhitespace(&i)
        if peek(i) == UInt8(ascii: "}") { end = i + 1; return out }
        while true {
            skipWhitespace(&i)
            guard peek(i) == UInt8(ascii: "\"") else { throw JSONScanError(offset: i, message: "expected a field name in double quotes") }
            let key = try scanString(&i)
            skipWhitespace(&i)
            guard peek(i) == UInt8(ascii: ":") else { throw JSONScanError(offset: i, message: "expected ':' after a field name") }
            i += 1
            skipWhitespace(&i)
            out.append(JSONField(keyStart: key.content.lowerBound, keyEnd: key.content.upperBound, value: i, keyEscaped: key.escaped))
            try skipValue(&i, depth: 1)
            skipWhitespace(&i)
            guard let c = peek(i) else { throw JSONScanError(offset: i, message: "unterminated object") }
            if c == UInt8(ascii: "}") { end = i + 1; return out }
            guard c == UInt8(ascii: ",") else { throw JSONScanError(offset: i, message: "expected ',' or '}'") }
            i += 1
        }
    }

    /// The fields of the object at `at`.
    public func fields(_ at: Int) throws(JSONScanError) -> [JSONField] {
        var end = 0
        return try fields(at, end: &end)
    }

    /// Opens the array at `i` (which must be `[`): true with `i` at the first element, false (and `i` past `]`) when empty.
    @inlinable
    public func openArray(_ i: inout Int) throws(JSONScanError) -> Bool {
        guard peek(i) == UInt8(ascii: "[") else { throw JSONScanError(offset: i, message: "expected an array, got \(describe(i))") }
        i += 1
        skipWhitespace(&i)
        if peek(i) == UInt8(ascii: "]") { i += 1; return false }
        return true
    }

    /// After an array element: true with `i` at the next element, false (and `i` past `]`) at the end.
    @inlinable
    public func nextElement(_ i: inout Int) throws(JSONScanError) -> Bool {
        skipWhitespace(&i)
        guard let c = peek(i) else { throw JSONScanError(offset: i, message: "unterminated array") }
        i += 1
        if c == UInt8(ascii: "]") { return false }
        guard c == UInt8(ascii: ",") else { i -= 1; throw JSONScanError(offset: i, message: "expected ',' or ']'") }
        skipWhitespace(&i)
        return true
    }

    // MARK: Lookup

    @inlinable @inline(__always)
    public func keyIs(_ f: JSONField, _ word: StaticString) -> Bool {
        f.keyEnd - f.keyStart == word.utf8CodeUnitCount && matches(f.keyStart, word)
    }

    /// A field's key as text, escapes decoded.
    public func key(_ f: JSONField) throws(JSONScanError) -> String {
        try text(f.keyStart..<f.keyEnd, escaped: f.keyEscaped)
    }

    /// A field's key is `word`, its escapes decoded (envelopes whose writers may escape any character).
    public func keyEquals(_ f: JSONField, _ word: StaticString) throws(JSONScanError) -> Bool {
        guard f.keyEscaped else { return keyIs(f, word) }
        return try key(f) == "\(word)"
    }

    /// The value offset of `key`, or nil when absent or null.
    @inlinable
    public func value(_ fields: [JSONField], _ key: StaticString) -> Int? {
        for f in fields where keyIs(f, key) { return isNull(f.value) ? nil : f.value }
        return nil
    }

    // MARK: Values

    /// The raw content of the string at `at` (escapes left as they are: for ids and codes), nil if not a string.
    @inlinable
    public func stringRange(_ at: Int) -> Range<Int>? {
        guard peek(at) == UInt8(ascii: "\"") else { return nil }
        var k = at + 1
        while k < buf.count, buf[k] != UInt8(ascii: "\"") { k += buf[k] == UInt8(ascii: "\\") ? 2 : 1 }
        return (at + 1)..<min(k, buf.count)
    }

    @inlinable
    public func isString(_ at: Int) -> Bool { peek(at) == UInt8(ascii: "\"") }

    /// The decoded UTF-8 bytes of the string at `at` (which must be one).
    public func stringBytes(at: Int) throws(JSONScanError) -> [UInt8] {
        var i = at
        let s = try scanString(&i)
        return s.escaped ? try unescaped(s.content) : Array(UnsafeRawBufferPointer(rebasing: buf[s.content]))
    }

    /// The extent of the JSON number at `at`, or nil when there is none.
    public func numberRange(_ at: Int) -> Range<Int>? {
        var i = at
        return scanNumber(&i)?.range
    }

    public func string(_ at: Int) -> String? {
        stringRange(at).map { String(decoding: UnsafeRawBufferPointer(rebasing: buf[$0]), as: UTF8.self) }
    }

    @inlinable
    public func stringIs(_ at: Int, _ word: StaticString) -> Bool {
        guard let r = stringRange(at) else { return false }
        return bytesEqual(r, word)
    }

    /// A JSON number or a numeric string ("43000.10"), as exchanges send prices either way.
    @inlinable
    public func double(_ at: Int) -> Double? {
        var k = at
        if peek(at) == UInt8(ascii: "\"") {
            k += 1
            guard let v = scanDouble(&k), peek(k) == UInt8(ascii: "\"") else { return nil }
            return v
        }
        return scanDouble(&k)
    }

    /// A non-negative integer, as a JSON number or a string of digits.
    @inlinable
    public func int64(_ at: Int) -> Int64? {
        var k = at
        let quoted = peek(at) == UInt8(ascii: "\"")
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
        if quoted { return peek(k) == UInt8(ascii: "\"") ? v : nil }
        return isDelimiter(k) ? v : nil
    }

    @inlinable
    public func bool(_ at: Int) -> Bool? {
        if matches(at, "true") { return true }
        if matches(at, "false") { return false }
        return nil
    }

    /// A short rendering of the value at `at` for error messages: a string (cut at 40 bytes), `an object`, `an
    /// array`, a literal or number, or `end of input`.
    public func describe(_ at: Int) -> String {
        guard at < buf.count else { return "end of input" }
        switch buf[at] {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""):
            let r = stringRange(at)!
            return quoted(r)
        default:
            var k = at
            while k < buf.count, k - at < 40, !isDelimiter(k) { k += 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: buf[at..<max(k, at + 1)]), as: UTF8.self)
        }
    }

    /// `"text"` of a content range, cut at 40 bytes with an ellipsis.
    public func quoted(_ r: Range<Int>) -> String {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: buf[r.lowerBound..<min(r.upperBound, r.lowerBound + 40)]), as: UTF8.self)
        return "\"\(text)\(r.count > 40 ? "…" : "")\""
    }
}
