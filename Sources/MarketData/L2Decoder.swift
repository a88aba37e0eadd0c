import RiskSignalCore

/// A single-pass decoder for exactly the L2 message shape, on `JSONScanner`'s primitives. It avoids
/// JSONSerialization, which boxes every number and string in an NSObject (about 10x slower on a 20-level delta)
/// and on Linux can misround 17-digit numbers.
struct L2Decoder {
    private let json: JSONScanner
    private var buf: UnsafeRawBufferPointer { json.buf }
    private var i = 0

    init(_ buf: UnsafeRawBufferPointer) { json = JSONScanner(buf) }

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

    mutating func decode() throws(L2DecodeError) -> L2Update {
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
                let key = try scanString(path: "$")
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw syntax("$", "expected ':' after a field name") }
                i += 1
                skipWhitespace()

                if let field = lookupField(key) {
                    let bit = UInt32(1) << UInt32(field.rawValue)
                    if seen & bit != 0 { throw error("\(field.name)", "appears twice; send each field once") }
                    seen |= bit
                    if peek() == UInt8(ascii: "n"), json.matches(i, "null") {
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
                    let scanner = json
                    try skipValue(path: String(decoding: UnsafeRawBufferPointer(rebasing: scanner.buf[key.content]), as: UTF8.self), depth: 0)
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
        let r = try rawStringValue("symbol", expected: "a string like BTC-USDT")
        // BASE-QUOTE in upper case: the symbol becomes a bus subject token and a table key, so one spelling per market.
        var dashes = 0, baseLen = 0, quoteLen = 0, ok = r.count <= 32
        var k = r.lowerBound
        while ok && k < r.upperBound {
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
            throw error("symbol", "expected BASE-QUOTE like BTC-USDT (upper-case letters and digits, one dash, at most 32 characters), got \(json.quoted(r))")
        }
        return makeString(r)
    }

    private mutating func parseExchange() throws(L2DecodeError) -> String {
        let r = try rawStringValue("exchange", expected: "a string like \"binance\"")
        var ok = !r.isEmpty && r.count <= 32
        var k = r.lowerBound
        while ok && k < r.upperBound {
            let c = buf[k]
            ok = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
                || c == UInt8(ascii: "_") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
            k += 1
        }
        guard ok else {
            throw error("exchange", "expected 1-32 letters, digits, '_', '-' or '.', like \"binance\", got \(json.quoted(r))")
        }
        return makeString(r)
    }

    private mutating func parseKind() throws(L2DecodeError) -> L2UpdateKind {
        guard peek() == UInt8(ascii: "\"") else { throw error("type", "expected \"delta\" or \"snapshot\", got \(describeValue())") }
        let valueStart = i
        let r = try rawStringValue("type", expected: "\"delta\" or \"snapshot\"")
        if json.bytesEqual(r, "delta") { return .delta }
        if json.bytesEqual(r, "snapshot") { return .snapshot }
        i = valueStart
        throw error("type", "expected \"delta\" or \"snapshot\", got \(describeValue())")
    }

    private mutating func parseEventId() throws(L2DecodeError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw error("event_id", "expected a string, got \(describeValue())") }
        let raw = try scanString(path: "event_id")
        let value: String
        do { value = try json.text(raw.content, escaped: raw.escaped) } catch { throw syntax("event_id", error) }
        guard value.utf8.count <= 256 else { throw self.error("event_id", "expected at most 256 bytes, got \(value.utf8.count)") }
        return value
    }

    private mutating func parseEventTime() throws(L2DecodeError) -> Int64 {
        let expected = "expected epoch milliseconds (integer) or an ISO-8601 string with Z or an offset"
        let valueStart = i
        if peek() == UInt8(ascii: "\"") {
            let r = try rawStringValue("event_time", expected: expected)
            if let nanos = ISO8601.nanos(buf, r) { return nanos }
            if let ms = json.digits(r), let nanos = millisToNanos(ms) { return nanos }
            i = valueStart
            throw error("event_time", "\(expected), got \(describeValue())")
        }
        guard let token = json.scanNumber(&i), token.isInteger, let ms = json.digits(token.range), let nanos = millisToNanos(ms) else {
            i = valueStart
            throw error("event_time", "\(expected), got \(describeValue())")
        }
        return nanos
    }

    /// Ids and nanosecond stamps: a non-negative JSON integer, or a string of digits as some exchanges send.
    private mutating func parseInteger(_ field: StaticString) throws(L2DecodeError) -> Int64 {
        let valueStart = i
        if peek() == UInt8(ascii: "\"") {
            if let raw = try? json.scanString(&i), !raw.escaped, let v = json.digits(raw.content) { return v }
        } else if let token = json.scanNumber(&i), token.isInteger, let v = json.digits(token.range) {
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
    @inline(__always)
    private mutating func parseDecimal(_ side: StaticString, _ index: Int, _ slot: Int, positive: Bool) throws(L2DecodeError) -> Double {
        let valueStart = i
        var value: Double?
        if peek() == UInt8(ascii: "\"") {
            i += 1
            value = json.scanDouble(&i)
            if value != nil, peek() == UInt8(ascii: "\"") { i += 1 } else { value = nil }
        } else {
            value = json.scanDouble(&i)
        }
        guard let value, value.isFinite, positive ? value > 0 : value >= 0 else {
            i = valueStart
            throw error("\(side)[\(index)][\(slot)]", "expected \(positive ? "a positive number" : "a non-negative number"), got \(describeValue())")
        }
        return value == 0 ? 0 : value  // folds -0 into 0 so a removal compares equal everywhere
    }

    private func millisToNanos(_ ms: Int64) -> Int64? {
        let (v, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
        return overflow ? nil : v
    }

    // MARK: Lexing (JSONScanner's primitives, errors named by field)

    @inline(__always) private func peek() -> UInt8? { json.peek(i) }

    @inline(__always) private mutating func skipWhitespace() { json.skipWhitespace(&i) }

    @inline(__always)
    private mutating func scanString(path: @autoclosure () -> String) throws(L2DecodeError) -> (content: Range<Int>, escaped: Bool) {
        do { return try json.scanString(&i) } catch { throw syntax(path(), error) }
    }

    private mutating func skipValue(path: @autoclosure () -> String, depth: Int) throws(L2DecodeError) {
        do { try json.skipValue(&i, depth: depth) } catch { throw syntax(path(), error) }
    }

    /// A string value for a field whose valid values never need escapes (symbols, venues, enums, numbers).
    private mutating func rawStringValue(_ field: @autoclosure () -> String, expected: @autoclosure () -> String) throws(L2DecodeError) -> Range<Int> {
        guard peek() == UInt8(ascii: "\"") else { throw error(field(), "expected \(expected()), got \(describeValue())") }
        let valueStart = i
        let raw = try scanString(path: field())
        if raw.escaped {
            i = valueStart
            throw error(field(), "expected \(expected()), got \(describeValue())")
        }
        return raw.content
    }

    private func lookupField(_ key: (content: Range<Int>, escaped: Bool)) -> Field? {
        if key.escaped {
            let text = (try? json.text(key.content, escaped: true)) ?? ""
            return Field.allCases.first { "\($0.name)" == text }
        }
        func match(_ field: Field) -> Field? { json.bytesEqual(key.content, field.name) ? field : nil }
        switch key.content.count {
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

    private func makeString(_ r: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: buf[r]), as: UTF8.self)
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

    private func syntax(_ field: String, _ e: JSONScanError) -> L2DecodeError {
        L2DecodeError(field: field, message: "invalid JSON at byte \(e.offset): \(e.message)")
    }

    /// A short rendering of the value at `i` for error messages, without consuming it.
    private func describeValue() -> String {
        guard let c = peek() else { return "end of input" }
        switch c {
        case UInt8(ascii: "\""):
            var k = i + 1
            while k < buf.count, buf[k] != UInt8(ascii: "\"") { k += buf[k] == UInt8(ascii: "\\") ? 2 : 1 }
            return json.quoted((i + 1)..<min(k, buf.count))
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t") where json.matches(i, "true"): return "true"
        case UInt8(ascii: "f") where json.matches(i, "false"): return "false"
        case UInt8(ascii: "n") where json.matches(i, "null"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            var k = i
            while k < buf.count, k - i < 40 {
                let d = buf[k]
                guard d != UInt8(ascii: ","), d != UInt8(ascii: "]"), d != UInt8(ascii: "}"), d > 0x20 else { break }
                k += 1
            }
            return makeString(i..<k)
        default:
            return "invalid JSON at byte \(i)"
        }
    }
}
