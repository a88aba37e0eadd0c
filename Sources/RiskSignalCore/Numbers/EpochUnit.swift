/// The unit of an epoch number, with checked conversion to a `Timestamp`.
public enum EpochUnit: Int64, Sendable, CaseIterable {
    case seconds = 1_000_000_000
    case milliseconds = 1_000_000
    case microseconds = 1000
    case nanoseconds = 1

    /// The unit's name in messages.
    public var name: String {
        switch self {
        case .seconds: "epoch seconds"
        case .milliseconds: "epoch milliseconds"
        case .microseconds: "epoch microseconds"
        case .nanoseconds: "epoch nanoseconds"
        }
    }

    /// The unit an epoch integer is in, told apart by size: all dates 1973–2286 in s, ms, µs and ns fall in disjoint ranges.
    public static func guess(_ v: Int64) -> EpochUnit {
        let m = v.magnitude
        return m >= 100_000_000_000_000_000 ? .nanoseconds : m >= 100_000_000_000_000 ? .microseconds
            : m >= 100_000_000_000 ? .milliseconds : .seconds
    }

    /// Nanoseconds of an epoch integer whose unit is told by its size (`guess`): only instants from 1970 on, since a
    /// negative number in a feed is an error, not a date before 1970.
    public static func nanosGuessingUnit(_ v: Int64, field: String) throws(NumberRangeError) -> Int64 {
        guard v >= 0 else { throw NumberRangeError(field: field, got: "\(v)", expected: "epoch seconds, milliseconds, microseconds or nanoseconds from 1970 to 2262") }
        return try guess(v).nanos(v, field: field)
    }

    /// Nanoseconds since the epoch of `v` in this unit, failing past the Int64 nanosecond range (1677–2262).
    public func nanos(_ v: Int64, field: String) throws(NumberRangeError) -> Int64 {
        let (r, o) = v.multipliedReportingOverflow(by: rawValue)
        guard !o else { throw NumberRangeError(field: field, got: "\(v)", expected: "\(name) between 1677 and 2262") }
        return r
    }

    /// Nanoseconds since the epoch of a fractional `v` in this unit.
    public func nanos(_ v: Double, field: String) throws(NumberRangeError) -> Int64 {
        do { return try Checked.int64(v * Double(rawValue), field: field) } catch {
            throw NumberRangeError(field: field, got: "\(v)", expected: "\(name) between 1677 and 2262")
        }
    }
}
