/// The one place conversions of outside numbers happen: every `Double`→integer conversion, every product or
/// sum of integers read from input, and every duration built from parsed text goes through here and fails
/// with a `NumberRangeError` naming the field and the accepted range, instead of trapping.
public enum Checked {
    /// The largest duration any input may ask for: about 292 years, what `Int64` nanoseconds hold.
    public static let maxNanoseconds = Int64.max

    /// `v` rounded by `rule` as an `Int64` in `range`; NaN, ±inf, and values outside the range fail.
    public static func int64(_ v: Double, field: String, in range: ClosedRange<Int64> = Int64.min...Int64.max,
                             rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero,
                             expected: String? = nil) throws(NumberRangeError) -> Int64 {
        let what = expected ?? "a number in \(range.lowerBound)...\(range.upperBound)"
        guard v.isFinite else { throw NumberRangeError(field: field, got: "\(v)", expected: what) }
        // Int64(exactly:) is nil (never a trap) for values past ±2^63.
        guard let i = Int64(exactly: v.rounded(rule)), range.contains(i) else {
            throw NumberRangeError(field: field, got: "\(v)", expected: what)
        }
        return i
    }

    /// `v` rounded by `rule` as an `Int` in `range`.
    public static func int(_ v: Double, field: String, in range: ClosedRange<Int> = Int.min...Int.max,
                           rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero,
                           expected: String? = nil) throws(NumberRangeError) -> Int {
        let what = expected ?? "a number in \(range.lowerBound)...\(range.upperBound)"
        guard v.isFinite, let i = Int(exactly: v.rounded(rule)), range.contains(i) else {
            throw NumberRangeError(field: field, got: "\(v)", expected: what)
        }
        return i
    }

    /// A whole number: fractions, NaN and ±inf fail rather than being rounded.
    public static func wholeInt(_ v: Double, field: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(NumberRangeError) -> Int {
        guard v.isFinite, v == v.rounded(), let i = Int(exactly: v), range.contains(i) else {
            throw NumberRangeError(field: field, got: "\(v)", expected: "a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    /// An integer in `range`.
    public static func within<T: BinaryInteger>(_ v: T, field: String, _ range: ClosedRange<T>, expected: String? = nil) throws(NumberRangeError) -> T {
        guard range.contains(v) else {
            throw NumberRangeError(field: field, got: "\(v)", expected: expected ?? "a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// A finite number in `range` (NaN and ±inf always fail).
    public static func finite(_ v: Double, field: String, in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
                              expected: String? = nil) throws(NumberRangeError) -> Double {
        guard v.isFinite, range.contains(v) else {
            throw NumberRangeError(field: field, got: "\(v)", expected: expected ?? "a finite number in \(range.lowerBound)...\(range.upperBound)")
        }
        return v
    }

    /// Any integer converted to another integer type, failing when it does not fit.
    public static func exactly<T: BinaryInteger, U: BinaryInteger>(_ v: U, as: T.Type = T.self, field: String) throws(NumberRangeError) -> T {
        guard let r = T(exactly: v) else {
            throw NumberRangeError(field: field, got: "\(v)", expected: "a whole number in \(T.self)'s range")
        }
        return r
    }

    /// `a × b`, failing on overflow.
    public static func product(_ a: Int64, _ b: Int64, field: String, expected: String? = nil) throws(NumberRangeError) -> Int64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        guard !o else { throw NumberRangeError(field: field, got: "\(a) × \(b)", expected: expected ?? "a product that fits in 64 bits") }
        return r
    }

    /// `a + b`, failing on overflow.
    public static func sum(_ a: Int64, _ b: Int64, field: String, expected: String? = nil) throws(NumberRangeError) -> Int64 {
        let (r, o) = a.addingReportingOverflow(b)
        guard !o else { throw NumberRangeError(field: field, got: "\(a) + \(b)", expected: expected ?? "a sum that fits in 64 bits") }
        return r
    }

    /// `a + b` for unsigned values, failing on overflow.
    public static func sum(_ a: UInt64, _ b: UInt64, field: String) throws(NumberRangeError) -> UInt64 {
        let (r, o) = a.addingReportingOverflow(b)
        guard !o else { throw NumberRangeError(field: field, got: "\(a) + \(b)", expected: "a sum below 2^64") }
        return r
    }

    /// `a × b` for unsigned values, failing on overflow.
    public static func product(_ a: UInt64, _ b: UInt64, field: String) throws(NumberRangeError) -> UInt64 {
        let (r, o) = a.multipliedReportingOverflow(by: b)
        guard !o else { throw NumberRangeError(field: field, got: "\(a) × \(b)", expected: "a product below 2^64") }
        return r
    }

    /// Whole nanoseconds of `seconds` (a parsed duration, a wait, a flag), at least `min` and at most `max`.
    public static func nanoseconds(seconds: Double, field: String, min: Duration = .zero, max: Duration = .nanoseconds(Int64.max)) throws(NumberRangeError) -> Int64 {
        let lo = min.totalNanoseconds, hi = max.totalNanoseconds
        let what = "a duration from \(describe(lo)) to \(describe(hi))"
        guard seconds.isFinite else { throw NumberRangeError(field: field, got: "\(seconds)s", expected: what) }
        let ns = (seconds * 1e9).rounded()
        // 9.2e18 ns is the Int64 limit; compare as Double first so huge inputs never reach the conversion.
        guard ns >= Double(lo), ns <= Double(hi), let i = Int64(exactly: ns), i >= lo, i <= hi else {
            throw NumberRangeError(field: field, got: "\(seconds)s", expected: what)
        }
        return i
    }

    /// A `Duration` of `seconds`, checked like `nanoseconds(seconds:…)`.
    public static func duration(seconds: Double, field: String, min: Duration = .zero, max: Duration = .nanoseconds(Int64.max)) throws(NumberRangeError) -> Duration {
        .nanoseconds(try nanoseconds(seconds: seconds, field: field, min: min, max: max))
    }

    /// A short human form of a nanosecond count for range messages (`1 day`, `292 years`).
    static func describe(_ ns: Int64) -> String {
        let s = Double(ns) / 1e9
        if ns == Int64.max { return "292 years" }
        if ns == 0 { return "0s" }
        if s >= 365 * 86_400 { return "\(Int(s / (365 * 86_400))) years" }
        if s >= 86_400, s.truncatingRemainder(dividingBy: 86_400) == 0 { return "\(Int(s / 86_400)) days" }
        if s >= 1, s == s.rounded() { return "\(Int(s))s" }
        return "\(s)s"
    }
}
