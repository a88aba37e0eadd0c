/// What each ClickHouse column type of the schema can hold, and the event-time window rows are accepted in.
///
/// Every row encoder checks values here before insert, so a value a column would wrap, clamp or reject is a
/// field error (the message goes to the DLQ) instead of an acked row that is stored wrong or not at all.
///
/// Event times: the event tables are partitioned by month and expire rows `30 days` after `toDateTime(event_time)`
/// (`SchemaMigrations.engine`). A row older than that is dropped by the TTL as soon as ClickHouse merges, and a time
/// past 2106 wraps in `toDateTime`; both are silent loss. So `event_time` must lie in
/// `[now − 30 days, now + 1 day]`: the day ahead allows producer clocks that run fast, and anything further is a
/// wrong clock or unit (seconds sent as milliseconds). Replays keep this by moving capture times to now (the
/// default); `--keep-times` with an old capture is reported per message, not lost.
public enum ColumnLimits {
    /// How long the event tables keep a row after its event time (the tables' TTL).
    public static let retention: Duration = .seconds(30 * 86_400)
    /// How far ahead of the pipeline's clock an event time may be.
    public static let futureSkew: Duration = .seconds(86_400)

    /// `DateTime64(n)`: 1900-01-01 to 2299-12-31; `Timestamp` (Int64 ns) ends in 2262, so the lower end is the check.
    public static let dateTime64Nanos: ClosedRange<Int64> = -2_208_988_800_000_000_000...Int64.max
    /// `DateTime` (UInt32 seconds): 1970-01-01 to 2106-02-07T06:28:15Z.
    public static let dateTimeNanos: ClosedRange<Int64> = 0...4_294_967_295_999_999_999

    /// A time for a `DateTime64(3|6)` column.
    @discardableResult
    public static func dateTime64(_ t: Timestamp, field: String) throws(NumberRangeError) -> Timestamp {
        guard dateTime64Nanos.contains(t.nanosSinceEpoch) else {
            throw NumberRangeError(field: field, got: t.iso8601, expected: "a time from 1900-01-01 to 2262-04-11 (a DateTime64 column)")
        }
        return t
    }

    /// A time for a `DateTime` column (also what `toDateTime(event_time)` in TTLs and rollups needs).
    @discardableResult
    public static func dateTime(_ t: Timestamp, field: String) throws(NumberRangeError) -> Timestamp {
        guard dateTimeNanos.contains(t.nanosSinceEpoch) else {
            throw NumberRangeError(field: field, got: t.iso8601, expected: "a time from 1970-01-01 to 2106-02-07 (a DateTime column)")
        }
        return t
    }

    /// An event time a table will keep: a valid `DateTime` and `DateTime64` inside `[now − retention, now + futureSkew]`.
    @discardableResult
    public static func eventTime(_ t: Timestamp, field: String = "event_time", now: Timestamp = .now(),
                                 retention: Duration = ColumnLimits.retention, futureSkew: Duration = ColumnLimits.futureSkew) throws(NumberRangeError) -> Timestamp {
        let lo = now.nanosSinceEpoch.subtractingReportingOverflow(retention.totalNanoseconds)
        let hi = now.nanosSinceEpoch.addingReportingOverflow(futureSkew.totalNanoseconds)
        let low = lo.overflow ? Int64.min : lo.partialValue, high = hi.overflow ? Int64.max : hi.partialValue
        guard t.nanosSinceEpoch >= low, t.nanosSinceEpoch <= high else {
            let days = retention.totalNanoseconds / 86_400_000_000_000
            throw NumberRangeError(field: field, got: t.iso8601,
                                   expected: "a time in the accepted window \(Timestamp(nanosSinceEpoch: low).iso8601) … \(Timestamp(nanosSinceEpoch: high).iso8601) (tables keep \(days) days by event time, so an older row would be dropped at once; more than \(Checked.describe(futureSkew.totalNanoseconds)) ahead is a wrong clock or unit)")
        }
        // The window lies inside DateTime's range for any clock between 1970 and 2106; checked anyway.
        return try dateTime(t, field: field)
    }

    /// An unsigned integer for a `UInt8`/`UInt16`/`UInt32`/`UInt64` column of `bits` bits.
    @discardableResult
    public static func unsigned(_ v: UInt64, bits: Int, field: String) throws(NumberRangeError) -> UInt64 {
        let max: UInt64 = bits >= 64 ? .max : (1 << UInt64(bits)) - 1
        guard v <= max else { throw NumberRangeError(field: field, got: "\(v)", expected: "a whole number in 0...\(max) (a UInt\(bits) column)") }
        return v
    }

    /// A finite value for a `Float32` column (larger magnitudes would be stored as ±inf).
    @discardableResult
    public static func float32(_ v: Double, field: String) throws(NumberRangeError) -> Double {
        guard v.isFinite, abs(v) <= Double(Float.greatestFiniteMagnitude) else {
            throw NumberRangeError(field: field, got: "\(v)", expected: "a finite number within ±3.4e38 (a Float32 column)")
        }
        return v
    }

    /// A finite value for a `Float64` column (JSONEachRow cannot carry NaN or ±inf as numbers).
    @discardableResult
    public static func float64(_ v: Double, field: String) throws(NumberRangeError) -> Double {
        guard v.isFinite else { throw NumberRangeError(field: field, got: "\(v)", expected: "a finite number (a Float64 column)") }
        return v
    }
}
