import Foundation
import RiskSignalCore

/// One price level of an order book: a price and the quantity resting there (0 in a delta removes the level).
public struct PriceLevel: Sendable, Hashable {
    public var price: Double
    public var quantity: Double

    public init(price: Double, quantity: Double) {
        self.price = price
        self.quantity = quantity
    }
}

/// Whether an L2 message replaces the whole book (`snapshot`) or patches some levels of it (`delta`).
public enum L2UpdateKind: String, Sendable, Hashable {
    case delta
    case snapshot
}

/// A normalised L2 order-book message as published on `market.l2raw.<symbol>`: a snapshot or a diff of price levels
/// together with the exchange update-id range it covers.
public struct L2Update: Sendable, Hashable {
    /// `BASE-QUOTE`, e.g. `BTC-USDT`.
    public var symbol: String
    public var exchange: String
    public var kind: L2UpdateKind
    /// Exchange event time, nanoseconds since the Unix epoch.
    public var eventTimeNanos: Int64
    public var firstUpdateId: Int64
    public var lastUpdateId: Int64
    /// Binance futures `pu`: the `last_update_id` of the previous message in the exchange's stream.
    public var prevLastUpdateId: Int64?
    /// In message order; a price may repeat, and then the later entry wins.
    public var bids: [PriceLevel]
    public var asks: [PriceLevel]
    public var eventId: String?
    /// When the load generator meant to send this message, nanoseconds since the Unix epoch.
    public var intendedNanos: Int64?

    public init(
        symbol: String, exchange: String, kind: L2UpdateKind, eventTimeNanos: Int64,
        firstUpdateId: Int64, lastUpdateId: Int64, prevLastUpdateId: Int64? = nil,
        bids: [PriceLevel], asks: [PriceLevel], eventId: String? = nil, intendedNanos: Int64? = nil
    ) {
        self.symbol = symbol
        self.exchange = exchange
        self.kind = kind
        self.eventTimeNanos = eventTimeNanos
        self.firstUpdateId = firstUpdateId
        self.lastUpdateId = lastUpdateId
        self.prevLastUpdateId = prevLastUpdateId
        self.bids = bids
        self.asks = asks
        self.eventId = eventId
        self.intendedNanos = intendedNanos
    }

    /// Payloads above this are rejected before parsing; a full-depth snapshot of a few thousand levels is ~200 KiB.
    public static let defaultMaxPayloadBytes = 1 << 20

    /// Parses and validates one JSON message; the error names the first offending field.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, maxPayloadBytes: Int = defaultMaxPayloadBytes
    ) -> Result<L2Update, L2DecodeError> {
        guard bytes.count <= maxPayloadBytes else {
            return .failure(L2DecodeError(
                field: "$",
                message: "payload is \(bytes.count) bytes, over the \(maxPayloadBytes)-byte limit; raise maxPayloadBytes or split the snapshot"))
        }
        var parser = L2Parser(bytes)
        do {
            return .success(try parser.parseUpdate())
        } catch {
            return .failure(error)
        }
    }

    /// Same as the buffer form, for callers holding `Data`.
    public static func decode(_ data: Data, maxPayloadBytes: Int = defaultMaxPayloadBytes) -> Result<L2Update, L2DecodeError> {
        data.withUnsafeBytes { decode($0, maxPayloadBytes: maxPayloadBytes) }
    }
}

/// Why an L2 message was rejected: the field path that failed (`bids[3][1]`, or `$` for the whole payload) and what was expected.
public struct L2DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

// MARK: - Parser

/// A single-pass parser for exactly the L2 message shape. It avoids JSONSerialization, which boxes every number
/// and string in an NSObject (about 10x slower on a 20-level delta) and on Linux can misround 17-digit numbers.
struct L2Parser {
    private let buf: UnsafeRawBufferPointer
    private var i = 0

    init(_ buf: UnsafeRawBufferPointer) { self.buf = buf }

    private enum Field: Int, CaseIterable {
        case symbol, exchange, type, eventTime, firstUpdateId, lastUpdateId, bids, asks, eventId, intendedNs, prevLastUpdateId

        var name: StaticString {
            switch self {
            case .symbol: "symbol"
            case .exchange: "exchange"
            case .type: "type"
            case .eventTime: "event_time"
            case .firstUpdateId: "first_update_id"
            case .lastUpdateId: "last_update_id"
            case .bids: "bids"
            case .asks: "asks"
            case .eventId: "event_id"
            case .intendedNs: "intended_ns"
            case .prevLastUpdateId: "prev_last_update_id"
            }
        }
    }

    mutating func parseUpdate() throws(L2DecodeError) -> L2Update {
        skipWhitespace()
        guard i < buf.count else { throw L2DecodeError(field: "$", message: "expected a JSON object, got empty input") }
        guard buf[i] == UInt8(ascii: "{") else { throw error("$", "expected a JSON object, got \(describeValue())") }
        i += 1

        var seen: UInt32 = 0
        var symbol: String?, exchange: String?, kind: L2UpdateKind?, eventTime: Int64?
        var first: Int64?, last: Int64?, prevLast: Int64?, intended: Int64?
        var bids: [PriceLevel]?, asks: [PriceLevel]?
        var eventId: String?

        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw syntax("$", "expected a field name in double quotes") }
                let keyStart = i + 1
                let key = try scanString(path: "$")
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw syntax("$", "expected ':' after a field name") }
                i += 1
                skipWhitespace()

                if let field = lookupField(keyStart, key) {
                    let bit = UInt32(1) << UInt32(field.rawValue)
                    if seen & bit != 0 { throw error("\(field.name)", "appears twice; send each field once") }
                    seen |= bit
                    if peek() == UInt8(ascii: "n"), isLiteral("null") {
                        // Explicit null reads as absent, so optional fields may be sent as null.
                        i += 4
                    } else {
                        switch field {
                        case .symbol: symbol = try parseSymbol()
                        case .exchange: exchange = try parseExchange()
                        case .type: kind = try parseKind()
                        case .eventTime: eventTime = try parseEventTime()
                        case .firstUpdateId: first = try parseInteger("first_update_id")
                        case .lastUpdateId: last = try parseInteger("last_update_id")
                        case .prevLastUpdateId: prevLast = try parseInteger("prev_last_update_id")
                        case .intendedNs: intended = try parseInteger("intended_ns")
                        case .bids: bids = try parseLevels("bids")
                        case .asks: asks = try parseLevels("asks")
                        case .eventId: eventId = try parseEventId()
                        }
                    }
                } else {
                    // Unknown fields are skipped so producers can add fields without breaking consumers.
                    let bytes = buf, keyEnd = key.end
                    try skipValue(path: String(decoding: UnsafeRawBufferPointer(rebasing: bytes[keyStart..<keyEnd]), as: UTF8.self), depth: 0)
                }

                skipWhitespace()
                guard let c = peek() else { throw syntax("$", "unterminated object, expected ',' or '}'") }
                i += 1
                if c == UInt8(ascii: "}") { break }
                guard c == UInt8(ascii: ",") else { i -= 1; throw syntax("$", "expected ',' or '}' after a field value") }
            }
        }
        skipWhitespace()
        guard i == buf.count else { throw syntax("$", "unexpected data after the JSON object") }

        guard let symbol else { throw missing("symbol") }
        guard let exchange else { throw missing("exchange") }
        guard let kind else { throw missing("type") }
        guard let eventTime else { throw missing("event_time") }
        guard let last else { throw missing("last_update_id") }
        // Exchange snapshots carry only the id they are current as of, so first_update_id is optional for them.
        guard let first = first ?? (kind == .snapshot ? last : nil) else { throw missing("first_update_id") }
        guard let bids else { throw missing("bids") }
        guard let asks else { throw missing("asks") }
        guard last >= first else {
            throw error("last_update_id", "must be >= first_update_id (\(first)), got \(last)")
        }
        return L2Update(
            symbol: symbol, exchange: exchange, kind: kind, eventTimeNanos: eventTime,
            firstUpdateId: first, lastUpdateId: last, prevLastUpdateId: prevLast,
            bids: bids, asks: asks, eventId: eventId, intendedNanos: intended)
    }

    // MARK: Fields

    private mutating func parseSymbol() throws(L2DecodeError) -> String {
        let (s, e) = try rawStringValue("symbol", expected: "a string like BTC-USDT")
        // BASE-QUOTE in upper case: the symbol becomes a bus subject token and a table key, so one spelling per market.
        var dashes = 0, baseLen = 0, quoteLen = 0, ok = e - s <= 32
        var k = s
        while ok && k < e {
            let c = buf[k]
            if c == UInt8(ascii: "-") {
                dashes += 1
            } else if (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) {
                if dashes == 0 { baseLen += 1 } else { quoteLen += 1 }
            } else {
                ok = false
            }
            k += 1
        }
        guard ok, dashes == 1, baseLen > 0, quoteLen > 0 else {
            throw error("symbol", "expected BASE-QUOTE like BTC-USDT (upper-case letters and digits, one dash, at most 32 characters), got \(quoted(s, e))")
        }
        return makeString(s, e)
    }

    private mutating func parseExchange() throws(L2DecodeError) -> String {
        let (s, e) = try rawStringValue("exchange", expected: "a string like \"binance\"")
        var ok = e > s && e - s <= 32
        var k = s
        while ok && k < e {
            let c = buf[k]
            ok = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
            k += 1
        }
        guard ok else {
            throw error("exchange", "expected 1-32 letters, digits, '_', '-' or '.', like \"binance\", got \(quoted(s, e))")
        }
        return makeString(s, e)
    }

    private mutating func parseKind() throws(L2DecodeError) -> L2UpdateKind {
        guard peek() == UInt8(ascii: "\"") else { throw error("type", "expected \"delta\" or \"snapshot\", got \(describeValue())") }
        let valueStart = i
        let (s, e) = try rawStringValue("type", expected: "\"delta\" or \"snapshot\"")
        if bytesEqual(s, e, "delta") { return .delta }
        if bytesEqual(s, e, "snapshot") { return .snapshot }
        i = valueStart
        throw error("type", "expected \"delta\" or \"snapshot\", got \(describeValue())")
    }

    private mutating func parseEventId() throws(L2DecodeError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw error("event_id", "expected a string, got \(describeValue())") }
        let value = try scanStringValue(path: "event_id")
        guard value.utf8.count <= 256 else { throw error("event_id", "expected at most 256 bytes, got \(value.utf8.count)") }
        return value
    }

    private mutating func parseEventTime() throws(L2DecodeError) -> Int64 {
        let expected = "expected epoch milliseconds (integer) or an ISO-8601 string with Z or an offset"
        let valueStart = i
        if peek() == UInt8(ascii: "\"") {
            let (s, e) = try rawStringValue("event_time", expected: expected)
            if let nanos = ISO8601Nanos.parse(buf, s, e) { return nanos }
            if let ms = parseDigits(s, e), let nanos = millisToNanos(ms) { return nanos }
            i = valueStart
            throw error("event_time", "\(expected), got \(describeValue())")
        }
        guard let token = scanNumber(), token.isInteger, let ms = parseDigits(token.start, token.end), let nanos = millisToNanos(ms) else {
            i = valueStart
            throw error("event_time", "\(expected), got \(describeValue())")
        }
        return nanos
    }

    /// Ids and nanosecond stamps: a non-negative JSON integer, or a string of digits as some exchanges send.
    private mutating func parseInteger(_ field: StaticString) throws(L2DecodeError) -> Int64 {
        let valueStart = i
        if peek() == UInt8(ascii: "\""), case let (s, e)? = try? rawStringValue("\(field)", expected: ""), let v = parseDigits(s, e) {
            return v
        }
        i = valueStart
        if peek() != UInt8(ascii: "\""), let token = scanNumber(), token.isInteger, let v = parseDigits(token.start, token.end) {
            return v
        }
        i = valueStart
        throw error("\(field)", "expected a non-negative integer below 2^63, got \(describeValue())")
    }

    private mutating func parseLevels(_ side: StaticString) throws(L2DecodeError) -> [PriceLevel] {
        guard peek() == UInt8(ascii: "[") else {
            throw error("\(side)", "expected an array of [price, quantity] pairs, got \(describeValue())")
        }
        i += 1
        var levels: [PriceLevel] = []
        skipWhitespace()
        if peek() == UInt8(ascii: "]") { i += 1; return levels }
        levels.reserveCapacity(32)
        var index = 0
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "[") else {
                throw error("\(side)[\(index)]", "expected a [price, quantity] pair, got \(describeValue())")
            }
            i += 1
            skipWhitespace()
            let price = try parseDecimal(side, index, 0, positive: true)
            skipWhitespace()
            guard peek() == UInt8(ascii: ",") else {
                throw syntax("\(side)[\(index)]", "expected ',' and a quantity after the price")
            }
            i += 1
            skipWhitespace()
            let quantity = try parseDecimal(side, index, 1, positive: false)
            skipWhitespace()
            // Some venues append order counts or flags after price and quantity; those are not book state.
            var extra = 2
            while peek() == UInt8(ascii: ",") {
                i += 1
                skipWhitespace()
                try skipValue(path: "\(side)[\(index)][\(extra)]", depth: 2)
                skipWhitespace()
                extra += 1
            }
            guard peek() == UInt8(ascii: "]") else { throw syntax("\(side)[\(index)]", "expected ']' to close the level") }
            i += 1
            levels.append(PriceLevel(price: price, quantity: quantity))
            index += 1
            skipWhitespace()
            guard let c = peek() else { throw syntax("\(side)", "unterminated array, expected ',' or ']'") }
            i += 1
            if c == UInt8(ascii: "]") { return levels }
            guard c == UInt8(ascii: ",") else { i -= 1; throw syntax("\(side)", "expected ',' or ']' between levels") }
        }
    }

    /// A price or quantity, as a JSON number or a numeric string such as "43000.10".
    private mutating func parseDecimal(_ side: StaticString, _ index: Int, _ slot: Int, positive: Bool) throws(L2DecodeError) -> Double {
        let valueStart = i
        var value: Double?
        if peek() == UInt8(ascii: "\"") {
            i += 1
            value = scanDecimal()
            if value != nil, peek() == UInt8(ascii: "\"") { i += 1 } else { value = nil }
        } else {
            value = scanDecimal()
        }
        guard let value, value.isFinite, positive ? value > 0 : value >= 0 else {
            i = valueStart
            throw error("\(side)[\(index)][\(slot)]", "expected \(positive ? "a positive number" : "a non-negative number"), got \(describeValue())")
        }
        return value == 0 ? 0 : value  // folds -0 into 0 so a removal compares equal everywhere
    }

    /// Validates and converts a JSON number in one pass (see `DecimalScanner`); nil if the bytes at `i` are not one.
    private mutating func scanDecimal() -> Double? {
        guard let v = DecimalScanner.scan(buf, &i), isDelimiter(peek()) else { return nil }
        return v
    }

    /// A number runs into a delimiter: "12abc" is not a number followed by something skippable.
    @inline(__always)
    private func isDelimiter(_ c: UInt8?) -> Bool {
        guard let c else { return true }
        return c == UInt8(ascii: ",") || c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "\"")
            || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    // MARK: Lexing

    @inline(__always) private func peek() -> UInt8? { i < buf.count ? buf[i] : nil }

    @inline(__always) private mutating func skipWhitespace() {
        while i < buf.count {
            let c = buf[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    private func isLiteral(_ word: StaticString) -> Bool {
        bytesEqual(i, min(i + word.utf8CodeUnitCount, buf.count), word)
    }

    private func bytesEqual(_ s: Int, _ e: Int, _ word: StaticString) -> Bool {
        guard e - s == word.utf8CodeUnitCount else { return false }
        let w = word.utf8Start
        for k in 0..<(e - s) where buf[s + k] != w[k] { return false }
        return true
    }

    private func lookupField(_ keyStart: Int, _ key: RawString) -> Field? {
        if key.hasEscapes {
            let text = key.decoded ?? ""
            return Field.allCases.first { "\($0.name)" == text }
        }
        func match(_ field: Field) -> Field? { bytesEqual(keyStart, key.end, field.name) ? field : nil }
        switch key.end - keyStart {
        case 4: return match(.bids) ?? match(.asks) ?? match(.type)
        case 6: return match(.symbol)
        case 8: return match(.exchange) ?? match(.eventId)
        case 10: return match(.eventTime)
        case 11: return match(.intendedNs)
        case 14: return match(.lastUpdateId)
        case 15: return match(.firstUpdateId)
        case 19: return match(.prevLastUpdateId)
        default: return nil
        }
    }

    private func makeString(_ s: Int, _ e: Int) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: buf[s..<e]), as: UTF8.self)
    }

    /// Where a string's content lies in the buffer; `decoded` is filled only when it had escapes.
    struct RawString {
        var end: Int
        var hasEscapes: Bool
        var decoded: String?
    }

    /// Consumes a JSON string at `i` (which must be a quote) and returns where its content ended.
    @discardableResult
    private mutating func scanString(path: @autoclosure () -> String) throws(L2DecodeError) -> RawString {
        let start = i + 1
        i = start
        var hasEscapes = false
        while i < buf.count {
            let c = buf[i]
            if c == UInt8(ascii: "\"") {
                let end = i
                i += 1
                return RawString(end: end, hasEscapes: hasEscapes, decoded: hasEscapes ? try decodeEscapes(start, end, path: path()) : nil)
            }
            if c == UInt8(ascii: "\\") {
                hasEscapes = true
                i += 2
                continue
            }
            if c < 0x20 { throw syntax(path(), "control character inside a string") }
            i += 1
        }
        throw syntax(path(), "unterminated string")
    }

    private mutating func scanStringValue(path: @autoclosure () -> String) throws(L2DecodeError) -> String {
        let start = i + 1
        let raw = try scanString(path: path())
        return raw.decoded ?? makeString(start, raw.end)
    }

    /// A string value for a field whose valid values never need escapes (symbols, venues, enums, numbers).
    private mutating func rawStringValue(_ field: @autoclosure () -> String, expected: @autoclosure () -> String) throws(L2DecodeError) -> (Int, Int) {
        guard peek() == UInt8(ascii: "\"") else { throw error(field(), "expected \(expected()), got \(describeValue())") }
        let valueStart = i
        let start = i + 1
        let raw = try scanString(path: field())
        if raw.hasEscapes {
            i = valueStart
            throw error(field(), "expected \(expected()), got \(describeValue())")
        }
        return (start, raw.end)
    }

    private func decodeEscapes(_ s: Int, _ e: Int, path: String) throws(L2DecodeError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(e - s)
        var k = s
        var pendingHigh: UInt32?
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= e else { return nil }
            var v: UInt32 = 0
            for j in at..<(at + 4) {
                let c = buf[j]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: return nil
                }
                v = v << 4 | d
            }
            return v
        }
        func appendScalar(_ v: UInt32) {
            let scalar = Unicode.Scalar(v) ?? "\u{FFFD}"
            bytes.append(contentsOf: String(Character(scalar)).utf8)
        }
        while k < e {
            let c = buf[k]
            guard c == UInt8(ascii: "\\") else {
                if let h = pendingHigh { appendScalar(h); pendingHigh = nil }
                bytes.append(c)
                k += 1
                continue
            }
            guard k + 1 < e else { throw syntax(path, "dangling backslash in a string") }
            let esc = buf[k + 1]
            k += 2
            if esc == UInt8(ascii: "u") {
                guard let v = hex4(k) else { throw syntax(path, "\\u must be followed by 4 hex digits") }
                k += 4
                if let h = pendingHigh {
                    pendingHigh = nil
                    if (0xDC00...0xDFFF).contains(v) {
                        appendScalar(0x10000 + ((h - 0xD800) << 10) + (v - 0xDC00))
                        continue
                    }
                    appendScalar(h)
                }
                if (0xD800...0xDBFF).contains(v) { pendingHigh = v } else { appendScalar(v) }
                continue
            }
            if let h = pendingHigh { appendScalar(h); pendingHigh = nil }
            switch esc {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(esc)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            default: throw syntax(path, "invalid escape '\\\(Character(Unicode.Scalar(esc)))' in a string")
            }
        }
        if let h = pendingHigh { appendScalar(h) }
        return String(decoding: bytes, as: UTF8.self)
    }

    struct NumberToken {
        var start: Int
        var end: Int
        var isInteger: Bool
    }

    /// Consumes a JSON number at `i`; returns nil (with `i` unspecified) if the bytes there are not one.
    private mutating func scanNumber() -> NumberToken? {
        let start = i
        if peek() == UInt8(ascii: "-") { i += 1 }
        guard let d0 = peek(), d0 >= UInt8(ascii: "0"), d0 <= UInt8(ascii: "9") else { return nil }
        i += 1
        if d0 != UInt8(ascii: "0") { skipDigits() }
        var isInteger = true
        if peek() == UInt8(ascii: ".") {
            i += 1
            guard skipDigits() > 0 else { return nil }
            isInteger = false
        }
        if let c = peek(), c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            i += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { i += 1 }
            guard skipDigits() > 0 else { return nil }
            isInteger = false
        }
        guard isDelimiter(peek()) else { return nil }
        return NumberToken(start: start, end: i, isInteger: isInteger)
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = i
        while let c = peek(), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { i += 1 }
        return i - start
    }

    /// Unsigned decimal digits only, rejecting anything that would not fit in Int64.
    private func parseDigits(_ s: Int, _ e: Int) -> Int64? {
        guard e > s, e - s <= 19 else { return nil }
        var v: Int64 = 0
        for k in s..<e {
            let c = buf[k]
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - UInt8(ascii: "0")))
            guard !o1, !o2 else { return nil }
            v = a
        }
        return v
    }

    private func millisToNanos(_ ms: Int64) -> Int64? {
        let (v, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? nil : v
    }

    /// Skips any JSON value, validating its syntax; depth-limited so hostile nesting cannot exhaust the stack.
    private mutating func skipValue(path: @autoclosure () -> String, depth: Int) throws(L2DecodeError) {
        guard depth < 32 else { throw syntax(path(), "nested deeper than 32 levels") }
        skipWhitespace()
        guard let c = peek() else { throw syntax(path(), "expected a value") }
        switch c {
        case UInt8(ascii: "\""):
            try scanString(path: path())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let close = c == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
            i += 1
            skipWhitespace()
            if peek() == close { i += 1; return }
            while true {
                if c == UInt8(ascii: "{") {
                    skipWhitespace()
                    guard peek() == UInt8(ascii: "\"") else { throw syntax(path(), "expected a field name in double quotes") }
                    try scanString(path: path())
                    skipWhitespace()
                    guard peek() == UInt8(ascii: ":") else { throw syntax(path(), "expected ':' after a field name") }
                    i += 1
                }
                try skipValue(path: path(), depth: depth + 1)
                skipWhitespace()
                guard let n = peek() else { throw syntax(path(), "unterminated \(c == UInt8(ascii: "{") ? "object" : "array")") }
                i += 1
                if n == close { return }
                guard n == UInt8(ascii: ",") else { i -= 1; throw syntax(path(), "expected ',' or '\(Character(Unicode.Scalar(close)))'") }
            }
        case UInt8(ascii: "t"):
            guard isLiteral("true") else { throw syntax(path(), "expected a value") }
            i += 4
        case UInt8(ascii: "f"):
            guard isLiteral("false") else { throw syntax(path(), "expected a value") }
            i += 5
        case UInt8(ascii: "n"):
            guard isLiteral("null") else { throw syntax(path(), "expected a value") }
            i += 4
        default:
            let start = i
            guard scanNumber() != nil else { i = start; throw syntax(path(), "expected a value") }
        }
    }

    // MARK: Errors

    private func error(_ field: String, _ message: String) -> L2DecodeError {
        L2DecodeError(field: field, message: message)
    }

    private func missing(_ field: String) -> L2DecodeError {
        L2DecodeError(field: field, message: "required field is missing")
    }

    private func syntax(_ field: String, _ message: String) -> L2DecodeError {
        L2DecodeError(field: field, message: "invalid JSON at byte \(i): \(message)")
    }

    private func quoted(_ s: Int, _ e: Int) -> String {
        let limit = 40
        let text = makeString(s, min(e, s + limit))
        return "\"\(text)\(e - s > limit ? "…" : "")\""
    }

    /// A short rendering of the value at `i` for error messages, without consuming it.
    private func describeValue() -> String {
        guard let c = peek() else { return "end of input" }
        switch c {
        case UInt8(ascii: "\""):
            var k = i + 1
            while k < buf.count, buf[k] != UInt8(ascii: "\"") { k += buf[k] == UInt8(ascii: "\\") ? 2 : 1 }
            return quoted(i + 1, min(k, buf.count))
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t") where isLiteral("true"): return "true"
        case UInt8(ascii: "f") where isLiteral("false"): return "false"
        case UInt8(ascii: "n") where isLiteral("null"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var k = i
            while k < buf.count, k - i < 40 {
                let d = buf[k]
                guard d != UInt8(ascii: ","), d != UInt8(ascii: "]"), d != UInt8(ascii: "}"), d > 0x20 else { break }
                k += 1
            }
            return makeString(i, k)
        default:
            return "invalid JSON at byte \(i)"
        }
    }
}

// MARK: - Numbers and times

/// ISO-8601 timestamps as exchanges print them: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`.
enum ISO8601Nanos {
    static func parse(_ buf: UnsafeRawBufferPointer, _ s: Int, _ e: Int) -> Int64? {
        func num(_ at: Int, _ len: Int) -> Int64? {
            guard at + len <= e else { return nil }
            var v: Int64 = 0
            for k in at..<(at + len) {
                let c = buf[k]
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                v = v * 10 + Int64(c - UInt8(ascii: "0"))
            }
            return v
        }
        func byte(_ at: Int) -> UInt8? { at < e ? buf[at] : nil }
        guard let y = num(s, 4), byte(s + 4) == UInt8(ascii: "-"), let mo = num(s + 5, 2), byte(s + 7) == UInt8(ascii: "-"),
              let d = num(s + 8, 2), let t = byte(s + 10), t == UInt8(ascii: "T") || t == UInt8(ascii: "t") || t == UInt8(ascii: " "),
              let h = num(s + 11, 2), byte(s + 13) == UInt8(ascii: ":"), let mi = num(s + 14, 2),
              byte(s + 16) == UInt8(ascii: ":"), let sec = num(s + 17, 2),
              (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo), h < 24, mi < 60, sec < 60
        else { return nil }
        var k = s + 19
        var fraction: Int64 = 0
        if byte(k) == UInt8(ascii: ".") || byte(k) == UInt8(ascii: ",") {
            k += 1
            var count = 0
            while let c = byte(k), c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") {
                if count < 9 { fraction = fraction * 10 + Int64(c - UInt8(ascii: "0")) }
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
            var om: Int64
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

    private static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

}
