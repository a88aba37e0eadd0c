// A strict RFC 8259 JSON parser producing `JSONValue`, written against raw bytes with no Foundation.
//
// Design notes:
// - Iterative, not recursive: open containers live on an explicit frame stack, so a large `maxDepth`
//   cannot overflow the thread's stack, and there is no per-level call overhead.
// - Finished values of open containers are kept on one value stack (object keys on a key stack) and
//   are *moved* into an exactly sized `Array` / `Dictionary(minimumCapacity:)` when the container closes.
//   The stacks start in `withUnsafeTemporaryAllocation` space, so a typical message allocates only its result.
// - Strings without escapes and without non-ASCII bytes (the common case) become a `String` straight
//   from the input slice; non-ASCII bytes are validated strictly (RFC 3629: no overlongs, no encoded
//   surrogates, nothing above U+10FFFF) before the slice is decoded; escapes go through a scratch buffer.
// - Numbers: integers that fit `Int64` become `.int`; everything else becomes `.double`, using an exact
//   fast path (≤ 19 significant digits, mantissa ≤ 2^53, |power of ten| ≤ 22 (+15 for small mantissas):
//   one IEEE multiplication or division of two exactly representable values, hence correctly rounded)
//   and otherwise the standard library's correctly rounded `Double(_: String)` on the literal's text.
//
// Conventions (documented for callers and covered by the tests):
// - Error offsets are 0-based byte offsets into the input as given (a skipped BOM still counts; for an
//   `ArraySlice` they count from the slice's first byte, not from its `startIndex`).
// - A leading UTF-8 byte order mark (EF BB BF) is skipped, as JSONDecoder and JSONSerialization do and as
//   RFC 8259 §8.1 permits; a BOM anywhere else is an error.
// - `-0` is an integer literal and becomes `.int(0)`; `-0.0` / `-0e0` become `.double(-0.0)`.
// - A number whose magnitude overflows `Double` (e.g. `1e400`) is an error; underflow gives ±0.0.
// - Duplicate object keys: the last one wins (as JSONSerialization does).
// - `maxDepth` counts nested arrays/objects: `[[1]]` has depth 2; opening container number
//   `maxDepth + 1` is an error at its bracket.

/// Where and why `JSONParser` rejected its input.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 0-based byte offset of the offending byte (the input's length for an unexpected end of input).
    public var offset: Int
    /// What was expected and what was found, e.g. `expected ',' or '}' after an object member, got 'x'`.
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "at byte \(offset): \(message)" }
}

/// Parses JSON text into `JSONValue` without Foundation's boxing; errors give the byte offset and what was expected.
public struct JSONParser {
    /// Parses exactly one JSON value (optionally surrounded by whitespace) from UTF-8 `bytes`.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        guard let raw = bytes.baseAddress, bytes.count > 0 else {
            throw JSONParseError(offset: 0, message: "expected a JSON value, got end of input")
        }
        // The stacks start in temporary (normally stack) space and move to the heap only for large documents.
        return try withUnsafeTemporaryAllocation(of: JSONValue.self, capacity: 32) { (values) throws(JSONParseError) -> JSONValue in
            try withUnsafeTemporaryAllocation(of: String.self, capacity: 16) { (keys) throws(JSONParseError) -> JSONValue in
                try withUnsafeTemporaryAllocation(of: Frame.self, capacity: 16) { (frames) throws(JSONParseError) -> JSONValue in
                    var parser = Parser(
                        base: raw.assumingMemoryBound(to: UInt8.self), count: bytes.count, maxDepth: maxDepth,
                        values: MoveStack(borrowing: values), keys: MoveStack(borrowing: keys), frames: MoveStack(borrowing: frames))
                    return try parser.parseDocument()
                }
            }
        }
    }

    /// Convenience over any byte collection; contiguous ones (`[UInt8]`, `ArraySlice`, `Data`, `UnsafeBufferPointer`,
    /// native `String.UTF8View`) are parsed in place, anything else is copied into an array first.
    public static func parse(_ bytes: some Collection<UInt8>, maxDepth: Int = 64) throws(JSONParseError) -> JSONValue {
        let inPlace = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                try parse(UnsafeRawBufferPointer(buffer), maxDepth: maxDepth)
            }
        }
        if let inPlace { return try inPlace.get() }
        let copy = Array(bytes)
        let result = copy.withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                try parse(buffer, maxDepth: maxDepth)
            }
        }
        return try result.get()
    }
}

// MARK: - Implementation

extension JSONParser {
    /// A manually managed stack whose elements can be moved out without retain/release traffic.
    fileprivate struct MoveStack<Element>: ~Copyable {
        var storage: UnsafeMutablePointer<Element>
        var count = 0
        var capacity: Int
        /// False while `storage` is the caller's (temporary) buffer, true once it was moved to the heap.
        var ownsStorage = false

        /// Starts with `buffer`, which must outlive the stack; its elements are deinitialized, not deallocated.
        init(borrowing buffer: UnsafeMutableBufferPointer<Element>) {
            storage = buffer.baseAddress!
            capacity = buffer.count
        }

        deinit {
            storage.deinitialize(count: count)
            if ownsStorage { storage.deallocate() }
        }

        @inline(__always)
        mutating func push(_ element: consuming Element) {
            if count == capacity { grow() }
            (storage + count).initialize(to: element)
            count += 1
        }

        @inline(never)
        mutating func grow() {
            let newCapacity = capacity * 2
            let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
            newStorage.moveInitialize(from: storage, count: count)
            if ownsStorage { storage.deallocate() }
            storage = newStorage
            capacity = newCapacity
            ownsStorage = true
        }
    }

    fileprivate struct Frame {
        /// Index in the value stack of this container's first element.
        var valueStart: Int
        /// Index in the key stack of this object's first key (unused for arrays).
        var keyStart: Int
        var isObject: Bool
    }

    fileprivate struct Parser: ~Copyable {
        let base: UnsafePointer<UInt8>
        let end: Int
        let maxDepth: Int
        var pos = 0
        /// Finished elements / member values of the open containers, innermost last.
        var values: MoveStack<JSONValue>
        /// Member keys of the open objects, innermost last.
        var keys: MoveStack<String>
        /// The open containers, innermost last.
        var frames: MoveStack<Frame>
        /// Unescaped string bytes, reused across strings.
        var scratch: [UInt8] = []

        init(
            base: UnsafePointer<UInt8>, count: Int, maxDepth: Int,
            values: consuming MoveStack<JSONValue>, keys: consuming MoveStack<String>, frames: consuming MoveStack<Frame>
        ) {
            self.base = base
            self.end = count
            self.maxDepth = maxDepth
            self.values = values
            self.keys = keys
            self.frames = frames
        }

        // MARK: Errors

        func fail(_ offset: Int, _ message: String) -> JSONParseError {
            JSONParseError(offset: offset, message: message)
        }

        /// `'x'`, `'é'`, `byte 0xFF` or `end of input`, describing what is at `offset`.
        func found(_ offset: Int) -> String {
            guard offset < end else { return "end of input" }
            let c = base[offset]
            if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
            if c >= 0x80, let length = utf8SequenceLength(at: offset) {
                let text = String(decoding: UnsafeBufferPointer(start: base + offset, count: length), as: UTF8.self)
                return "'\(text)'"
            }
            return "byte " + Self.hexByte(c)
        }

        static func hexByte(_ c: UInt8) -> String {
            let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]
            return "0x" + String(digits[Int(c >> 4)]) + String(digits[Int(c & 0xF)])
        }

        // MARK: Structure

        @inline(__always)
        mutating func skipWhitespace() {
            while pos < end {
                let c = base[pos]
                guard c <= 0x20, JSONScanner.isWhitespace(c) else { return }
                pos += 1
            }
        }

        mutating func parseDocument() throws(JSONParseError) -> JSONValue {
            if end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { pos = 3 }
            skipWhitespace()
            var value: JSONValue
            parseValue: while true {
                // A value starts at `pos` (whitespace already skipped).
                guard pos < end else { throw fail(pos, "expected a JSON value, got end of input") }
                switch base[pos] {
                case UInt8(ascii: "{"):
                    guard frames.count < maxDepth else { throw depthError() }
                    pos += 1
                    skipWhitespace()
                    if pos < end && base[pos] == UInt8(ascii: "}") {
                        pos += 1
                        value = .object([:])
                    } else {
                        frames.push(Frame(valueStart: values.count, keyStart: keys.count, isObject: true))
                        try parseKeyAndColon()
                        continue parseValue
                    }
                case UInt8(ascii: "["):
                    guard frames.count < maxDepth else { throw depthError() }
                    pos += 1
                    skipWhitespace()
                    if pos < end && base[pos] == UInt8(ascii: "]") {
                        pos += 1
                        value = .array([])
                    } else {
                        frames.push(Frame(valueStart: values.count, keyStart: keys.count, isObject: false))
                        continue parseValue
                    }
                case UInt8(ascii: "\""):
                    value = .string(try parseString())
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    value = try parseNumber()
                case UInt8(ascii: "t"):
                    try expectLiteral("true")
                    value = .bool(true)
                case UInt8(ascii: "f"):
                    try expectLiteral("false")
                    value = .bool(false)
                case UInt8(ascii: "n"):
                    try expectLiteral("null")
                    value = .null
                default:
                    throw fail(pos, "expected a JSON value, got \(found(pos))")
                }

                // `value` is complete: hand it to the innermost open container, closing containers as we go.
                while true {
                    skipWhitespace()
                    guard frames.count > 0 else {
                        guard pos == end else {
                            throw fail(pos, "expected end of input after the JSON value, got \(found(pos))")
                        }
                        return value
                    }
                    let frame = frames.storage[frames.count - 1]
                    let c: UInt8 = pos < end ? base[pos] : 0
                    if c == UInt8(ascii: ",") {
                        values.push(value)
                        pos += 1
                        skipWhitespace()
                        if frame.isObject { try parseKeyAndColon() }
                        continue parseValue
                    }
                    if frame.isObject {
                        guard c == UInt8(ascii: "}") else {
                            throw fail(pos, "expected ',' or '}' after an object member, got \(found(pos))")
                        }
                        pos += 1
                        values.push(value)
                        frames.count -= 1
                        value = .object(makeObject(frame))
                    } else {
                        guard c == UInt8(ascii: "]") else {
                            throw fail(pos, "expected ',' or ']' after an array element, got \(found(pos))")
                        }
                        pos += 1
                        values.push(value)
                        frames.count -= 1
                        value = .array(makeArray(frame))
                    }
                }
            }
        }

        func depthError() -> JSONParseError {
            fail(pos, "exceeded the maximum nesting depth of \(maxDepth)")
        }

        /// Parses `"key"` `:` and the whitespace after it, pushing the key.
        @inline(__always)
        mutating func parseKeyAndColon() throws(JSONParseError) {
            guard pos < end, base[pos] == UInt8(ascii: "\"") else {
                throw fail(pos, "expected '\"' to begin an object key, got \(found(pos))")
            }
            keys.push(try parseString())
            if pos < end && base[pos] == UInt8(ascii: ":") {
                pos += 1
            } else {
                skipWhitespace()
                guard pos < end, base[pos] == UInt8(ascii: ":") else {
                    throw fail(pos, "expected ':' after an object key, got \(found(pos))")
                }
                pos += 1
            }
            skipWhitespace()
        }

        mutating func makeArray(_ frame: Frame) -> [JSONValue] {
            let n = values.count - frame.valueStart
            let source = values.storage + frame.valueStart
            values.count = frame.valueStart
            return [JSONValue](unsafeUninitializedCapacity: n) { buffer, initialized in
                buffer.baseAddress!.moveInitialize(from: source, count: n)
                initialized = n
            }
        }

        mutating func makeObject(_ frame: Frame) -> [String: JSONValue] {
            let n = values.count - frame.valueStart
            let valueSource = values.storage + frame.valueStart
            let keySource = keys.storage + frame.keyStart
            values.count = frame.valueStart
            keys.count = frame.keyStart
            var object = [String: JSONValue](minimumCapacity: n)
            for i in 0..<n {
                // Last duplicate wins.
                object[(keySource + i).move()] = (valueSource + i).move()
            }
            return object
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let text = literal.utf8Start
            let length = literal.utf8CodeUnitCount
            if end - pos >= length {
                var i = 1  // the first byte was already matched by the caller
                while i < length && base[pos + i] == text[i] { i += 1 }
                if i == length {
                    pos += length
                    return
                }
            }
            var i = 1
            while pos + i < end && i < length && base[pos + i] == text[i] { i += 1 }
            throw fail(pos + i, "expected '\(Character(Unicode.Scalar(text[i])))' to complete '\(literal)', got \(found(pos + i))")
        }

        // MARK: Strings

        /// Parses the string whose opening quote is at `pos`; leaves `pos` after the closing quote.
        @inline(__always)
        mutating func parseString() throws(JSONParseError) -> String {
            let start = pos + 1
            var p = start
            while p < end {
                let c = base[p]
                if c == UInt8(ascii: "\"") {
                    pos = p + 1
                    return String(decoding: UnsafeBufferPointer(start: base + start, count: p - start), as: UTF8.self)
                }
                if c == UInt8(ascii: "\\") || c < 0x20 || c >= 0x80 { break }
                p += 1
            }
            return try parseStringSlow(start: start, from: p)
        }

        /// Continues a string at `p` (a backslash, a control character, a non-ASCII byte or the end of input).
        mutating func parseStringSlow(start: Int, from p: Int) throws(JSONParseError) -> String {
            var p = p
            var chunkStart = start
            var escaped = false
            while p < end {
                let c = base[p]
                if c == UInt8(ascii: "\"") {
                    pos = p + 1
                    if !escaped {
                        return String(decoding: UnsafeBufferPointer(start: base + start, count: p - start), as: UTF8.self)
                    }
                    scratch.append(contentsOf: UnsafeBufferPointer(start: base + chunkStart, count: p - chunkStart))
                    return String(decoding: scratch, as: UTF8.self)
                } else if c == UInt8(ascii: "\\") {
                    if !escaped {
                        escaped = true
                        scratch.removeAll(keepingCapacity: true)
                    }
                    scratch.append(contentsOf: UnsafeBufferPointer(start: base + chunkStart, count: p - chunkStart))
                    p = try unescape(at: p)
                    chunkStart = p
                } else if c < 0x20 {
                    throw fail(p, "unescaped control character \(Self.hexByte(c)) in a string")
                } else if c >= 0x80 {
                    guard let length = utf8SequenceLength(at: p) else {
                        throw fail(p, "invalid UTF-8 sequence starting with byte \(Self.hexByte(c))")
                    }
                    p += length
                } else {
                    p += 1
                }
            }
            throw fail(end, "expected '\"' to end the string that starts at byte \(start - 1), got end of input")
        }

        /// Decodes the escape sequence whose backslash is at `p` into `scratch`; returns the offset after it.
        mutating func unescape(at p: Int) throws(JSONParseError) -> Int {
            guard p + 1 < end else {
                throw fail(p, "expected an escape sequence after '\\', got end of input")
            }
            let e = base[p + 1]
            if let b = JSONEscape.simple(e) {
                scratch.append(b)
                return p + 2
            }
            guard e == UInt8(ascii: "u") else {
                throw fail(p, "invalid escape sequence '\\' followed by \(found(p + 1)) in a string")
            }
            let unit = try hex4(at: p)
            var scalar = unit
            var next = p + 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard next + 1 < end, base[next] == UInt8(ascii: "\\"), base[next + 1] == UInt8(ascii: "u") else {
                    throw fail(p, "unpaired UTF-16 high surrogate \\u\(hex(unit)) in a string")
                }
                let low = try hex4(at: next)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw fail(p, "unpaired UTF-16 high surrogate \\u\(hex(unit)) in a string")
                }
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw fail(p, "unpaired UTF-16 low surrogate \\u\(hex(unit)) in a string")
            }
            appendUTF8(scalar)
            return next
        }

        func hex(_ unit: UInt32) -> String {
            let s = String(unit, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, 4 - s.count)) + s
        }

        /// The code unit of `\uXXXX` whose backslash is at `p`.
        func hex4(at p: Int) throws(JSONParseError) -> UInt32 {
            guard p + 6 <= end, let unit = JSONEscape.hex4(UnsafeRawBufferPointer(start: base, count: end), p + 2) else {
                throw fail(p, "expected 4 hex digits after '\\u'")
            }
            return unit
        }

        /// Appends a scalar already checked to be valid (surrogates are refused before this).
        mutating func appendUTF8(_ scalar: UInt32) {
            JSONEscape.appendUTF8(scalar, to: &scratch)
        }

        /// Length of the well-formed UTF-8 sequence (RFC 3629 / Unicode table 3-7) whose lead byte
        /// (≥ 0x80) is at `p`, or nil when it is ill-formed or truncated.
        func utf8SequenceLength(at p: Int) -> Int? {
            let lead = base[p]
            @inline(__always) func continuation(_ i: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
                p + i < end && base[p + i] >= low && base[p + i] <= high
            }
            switch lead {
            case 0xC2...0xDF:
                return continuation(1) ? 2 : nil
            case 0xE0:
                return continuation(1, 0xA0) && continuation(2) ? 3 : nil
            case 0xE1...0xEC, 0xEE...0xEF:
                return continuation(1) && continuation(2) ? 3 : nil
            case 0xED:
                return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : nil
            case 0xF0:
                return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : nil
            case 0xF1...0xF3:
                return continuation(1) && continuation(2) && continuation(3) ? 4 : nil
            case 0xF4:
                return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : nil
            default:
                return nil
            }
        }

        // MARK: Numbers

        @inline(__always)
        func isDigit(_ offset: Int) -> Bool {
            offset < end && base[offset] &- UInt8(ascii: "0") < 10
        }

        /// Parses the number starting at `pos` (a '-' or a digit).
        mutating func parseNumber() throws(JSONParseError) -> JSONValue {
            let start = pos
            var p = pos
            let negative = base[p] == UInt8(ascii: "-")
            if negative {
                p += 1
                guard isDigit(p) else { throw fail(p, "expected a digit after '-', got \(found(p))") }
            }

            var mantissa: UInt64 = 0
            var significant = 0       // digits accumulated in `mantissa`, leading zeros excluded
            var exponent = 0          // value = mantissa × 10^exponent (when nothing was dropped)
            var dropped = false       // a nonzero digit did not fit in `mantissa`
            var isInteger = true

            if base[p] == UInt8(ascii: "0") {
                p += 1
                if isDigit(p) { throw fail(p, "leading zeros are not allowed in a number") }
            } else {
                repeat {
                    let d = base[p] &- UInt8(ascii: "0")
                    if significant < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        significant += 1
                    } else {
                        exponent += 1
                        if d != 0 { dropped = true }
                    }
                    p += 1
                } while isDigit(p)
            }

            if p < end && base[p] == UInt8(ascii: ".") {
                isInteger = false
                p += 1
                guard isDigit(p) else { throw fail(p, "expected a digit after the decimal point, got \(found(p))") }
                repeat {
                    let d = base[p] &- UInt8(ascii: "0")
                    if significant < 19 {
                        mantissa = mantissa &* 10 &+ UInt64(d)
                        if mantissa != 0 { significant += 1 }
                        exponent -= 1
                    } else if d != 0 {
                        dropped = true
                    }
                    p += 1
                } while isDigit(p)
            }

            if p < end && base[p] | 0x20 == UInt8(ascii: "e") {
                isInteger = false
                p += 1
                var negativeExponent = false
                if p < end && (base[p] == UInt8(ascii: "+") || base[p] == UInt8(ascii: "-")) {
                    negativeExponent = base[p] == UInt8(ascii: "-")
                    p += 1
                }
                guard isDigit(p) else { throw fail(p, "expected a digit in the exponent, got \(found(p))") }
                var e = 0
                repeat {
                    if e < 1_000_000 { e = e * 10 + Int(base[p] &- UInt8(ascii: "0")) }
                    p += 1
                } while isDigit(p)
                exponent += negativeExponent ? -e : e
            }
            pos = p

            if !dropped {
                if isInteger && exponent == 0 {
                    if !negative {
                        if mantissa <= UInt64(Int64.max) { return .int(Int64(mantissa)) }
                    } else if mantissa <= UInt64(Int64.max) {
                        return .int(-Int64(mantissa))
                    } else if mantissa == UInt64(Int64.max) + 1 {
                        return .int(.min)
                    }
                }
                if mantissa == 0 { return .double(negative ? -0.0 : 0.0) }
                if mantissa <= 1 << 53 {
                    // Exact operands, one rounding: correctly rounded (Clinger's fast path).
                    if exponent >= 0 && exponent <= 22 {
                        let d = Double(mantissa) * DecimalScanner.powerOfTen(exponent)
                        return .double(negative ? -d : d)
                    }
                    if exponent < 0 && exponent >= -22 {
                        let d = Double(mantissa) / DecimalScanner.powerOfTen(-exponent)
                        return .double(negative ? -d : d)
                    }
                    if exponent > 22 && exponent <= 22 + 15 {
                        let (scaled, overflow) = mantissa.multipliedReportingOverflow(by: Self.integerPowerOfTen(exponent - 22))
                        if !overflow && scaled <= 1 << 53 {
                            let d = Double(scaled) * 1e22
                            return .double(negative ? -d : d)
                        }
                    }
                }
            }
            return .double(try slowDouble(start: start, end: p))
        }

        func slowDouble(start: Int, end p: Int) throws(JSONParseError) -> Double {
            let text = String(decoding: UnsafeBufferPointer(start: base + start, count: p - start), as: UTF8.self)
            guard let d = Double(text), d.isFinite else {
                throw fail(start, "number \(text) is out of range for a 64-bit float")
            }
            return d
        }

        static func integerPowerOfTen(_ e: Int) -> UInt64 {
            var r: UInt64 = 1
            for _ in 0..<e { r &*= 10 }
            return r
        }
    }
}
