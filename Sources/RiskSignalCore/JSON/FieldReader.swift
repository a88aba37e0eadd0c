import Foundation

/// Typed access to a JSON object's fields, failing with the field's path and what was expected.
public struct FieldReader: Sendable {
    public let object: [String: JSONValue]
    /// Path prefix for messages (`events[3].`), empty at the top level.
    public let path: String

    public init(_ object: [String: JSONValue], path: String = "") {
        self.object = object
        self.path = path
    }

    /// Parses `bytes` as a JSON object, rejecting anything larger than `maxBytes` unparsed.
    public static func parse(_ bytes: some Collection<UInt8>, maxBytes: Int) throws(ValidationError) -> FieldReader {
        guard bytes.count <= maxBytes else {
            throw ValidationError(field: "$", message: "message is \(bytes.count) bytes, larger than the \(maxBytes)-byte limit")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(bytes) } catch {
            throw ValidationError(field: "$", message: "not valid JSON (\(error))")
        }
        guard case .object(let o) = value else {
            throw ValidationError(field: "$", message: "expected a JSON object, got \(value.typeName)")
        }
        return FieldReader(o)
    }

    func fail(_ key: String, _ message: String) -> ValidationError {
        ValidationError(field: path + key, message: message)
    }

    public func has(_ key: String) -> Bool {
        if case .null? = object[key] { return false }
        return object[key] != nil
    }

    public func string(_ key: String, maxLength: Int = 256, allowEmpty: Bool = false) throws(ValidationError) -> String {
        switch object[key] {
        case .string(let s)?:
            if !allowEmpty && s.isEmpty { throw fail(key, "must not be empty") }
            if s.utf8.count > maxLength { throw fail(key, "longer than \(maxLength) bytes") }
            return s
        case nil, .null?: throw fail(key, "required field is missing")
        case let v?: throw fail(key, "expected a string, got \(v.typeName)")
        }
    }

    public func optionalString(_ key: String, maxLength: Int = 256) throws(ValidationError) -> String? {
        guard has(key) else { return nil }
        guard case .string = object[key] else { throw fail(key, "expected a string or null, got \(object[key]!.typeName)") }
        return try string(key, maxLength: maxLength, allowEmpty: true)
    }

    /// A number, also accepted as a numeric string (exchanges send prices as "43000.10").
    public func double(_ key: String, range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws(ValidationError) -> Double {
        let d: Double
        switch object[key] {
        case .int(let i)?: d = Double(i)
        case .double(let x)?: d = x
        case .string(let s)?:
            guard let x = Double(s), x.isFinite else { throw fail(key, "expected a number, got \"\(s.prefix(40))\"") }
            d = x
        case nil, .null?: throw fail(key, "required field is missing")
        case let v?: throw fail(key, "expected a number, got \(v.typeName)")
        }
        guard range.contains(d) else { throw fail(key, "expected a number in \(Self.format(range)), got \(d)") }
        return d
    }

    public func optionalDouble(_ key: String, range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude) throws(ValidationError) -> Double? {
        guard has(key) else { return nil }
        return try double(key, range: range)
    }

    public func uint64(_ key: String) throws(ValidationError) -> UInt64 {
        switch object[key] {
        case .int(let i)?:
            guard i >= 0 else { throw fail(key, "expected a non-negative integer, got \(i)") }
            return UInt64(i)
        case .double(let d)? where d >= 0 && d == d.rounded() && d < 1.8e19: return UInt64(d)
        case .string(let s)?:
            guard let v = UInt64(s) else { throw fail(key, "expected a non-negative integer, got \"\(s.prefix(40))\"") }
            return v
        case nil, .null?: throw fail(key, "required field is missing")
        case let v?: throw fail(key, "expected a non-negative integer, got \(v.typeName)")
        }
    }

    public func optionalUInt64(_ key: String) throws(ValidationError) -> UInt64? {
        guard has(key) else { return nil }
        return try uint64(key)
    }

    public func bool(_ key: String) throws(ValidationError) -> Bool {
        switch object[key] {
        case .bool(let b)?: return b
        case nil, .null?: throw fail(key, "required field is missing")
        case let v?: throw fail(key, "expected true or false, got \(v.typeName)")
        }
    }

    /// One of `allowed` (case-insensitive), returned in the spelling of `allowed`.
    public func oneOf(_ key: String, _ allowed: [String]) throws(ValidationError) -> String {
        let s = try string(key, maxLength: 64)
        guard let match = allowed.first(where: { $0.caseInsensitiveCompare(s) == .orderedSame }) else {
            throw fail(key, "expected one of \(allowed.joined(separator: ", ")), got \"\(s.prefix(40))\"")
        }
        return match
    }

    /// An instant: epoch milliseconds as a number, or text in any form `TimestampText` reads (ISO 8601, a zone
    /// abbreviation, Twitter's or RFC 2822's form, epoch digits). Times past Int64 nanoseconds (after 2262) fail
    /// with the field named, never trap; whether a table keeps the time is `ColumnLimits.eventTime`'s call.
    public func timestamp(_ key: String) throws(ValidationError) -> Timestamp {
        let expected = "epoch milliseconds (1970–2262)"
        do {
            switch object[key] {
            case .int(let ms)?:
                guard ms > 0 else { throw fail(key, "expected \(expected), got \(ms)") }
                return Timestamp(nanosSinceEpoch: try EpochUnit.milliseconds.nanos(ms, field: path + key))
            case .double(let ms)?:
                guard ms > 0 else { throw fail(key, "expected \(expected), got \(ms)") }
                return Timestamp(nanosSinceEpoch: try EpochUnit.milliseconds.nanos(ms, field: path + key))
            case .string(let s)?:
                return Timestamp(nanosSinceEpoch: try TimestampText.nanos(s, field: path + key))
            case nil, .null?: throw fail(key, "required field is missing")
            case let v?: throw fail(key, "expected epoch milliseconds or an ISO 8601 string, got \(v.typeName)")
            }
        } catch let e as NumberRangeError {
            throw ValidationError(e)
        } catch let e as ValidationError {
            throw e
        } catch {
            throw fail(key, "\(error)")
        }
    }

    /// A market symbol like `BTC-USDT`: upper-case letters or digits, a dash, upper-case letters or digits.
    public func symbol(_ key: String = "symbol") throws(ValidationError) -> String {
        let s = try string(key, maxLength: 32)
        guard Self.isSymbol(s) else { throw fail(key, "expected BASE-QUOTE like BTC-USDT, got \"\(s.prefix(40))\"") }
        return s
    }

    public func object(_ key: String) throws(ValidationError) -> FieldReader {
        switch object[key] {
        case .object(let o)?: return FieldReader(o, path: path + key + ".")
        case nil, .null?: throw fail(key, "required field is missing")
        case let v?: throw fail(key, "expected an object, got \(v.typeName)")
        }
    }

    public func array(_ key: String, maxCount: Int) throws(ValidationError) -> [JSONValue] {
        switch object[key] {
        case .array(let a)?:
            guard a.count <= maxCount else { throw fail(key, "has \(a.count) elements, more than the limit of \(maxCount)") }
            return a
        case nil, .null?: throw fail(key, "required field is missing")
        case let v?: throw fail(key, "expected an array, got \(v.typeName)")
        }
    }

    /// The raw JSON text of a field (for metadata/properties columns), `{}` when absent.
    public func jsonText(_ key: String, maxLength: Int = 16 * 1024) throws(ValidationError) -> String {
        guard let v = object[key], v != .null else { return "{}" }
        let text = v.jsonText
        guard text.utf8.count <= maxLength else { throw fail(key, "longer than \(maxLength) bytes") }
        return text
    }

    public static func isSymbol(_ s: String) -> Bool {
        let parts = s.utf8.split(separator: 45, omittingEmptySubsequences: false)
        guard parts.count == 2, s.utf8.count <= 32 else { return false }
        return parts.allSatisfy { p in !p.isEmpty && p.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) } }
    }

    static func format(_ r: ClosedRange<Double>) -> String {
        let lo = r.lowerBound == -Double.greatestFiniteMagnitude ? "-∞" : "\(r.lowerBound)"
        let hi = r.upperBound == Double.greatestFiniteMagnitude ? "∞" : "\(r.upperBound)"
        return "[\(lo), \(hi)]"
    }
}
