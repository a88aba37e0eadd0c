#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// A UTC instant with nanosecond resolution, as carried in events and rows.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since the Unix epoch.
    public var nanosSinceEpoch: Int64

    public init(nanosSinceEpoch: Int64) { self.nanosSinceEpoch = nanosSinceEpoch }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanosSinceEpoch < b.nanosSinceEpoch }

    /// Seconds with a millisecond fraction, the form ClickHouse's DateTime64(3) reads from JSONEachRow.
    public var clickHouseDateTime64: String { Self.fixedPoint(nanosSinceEpoch, digits: 3) }

    /// Seconds with a microsecond fraction, for DateTime64(6) columns.
    public var clickHouseDateTime64Micro: String { Self.fixedPoint(nanosSinceEpoch, digits: 6) }

    /// `secs.fraction` of a nanosecond count, floored to `digits` fraction digits; exact at both ends of Int64.
    static func fixedPoint(_ ns: Int64, digits: Int) -> String {
        let unit: Int64 = digits == 3 ? 1_000_000 : 1000
        let perSecond = 1_000_000_000 / unit
        let ticks = floorDiv(ns, unit)
        let secs = floorDiv(ticks, perSecond)
        let f = String(ticks - secs * perSecond)  // in 0..<perSecond, so the product cannot overflow
        return "\(secs)." + String(repeating: "0", count: digits - f.count) + f
    }

    /// Division rounding toward −∞, without the `a − (b − 1)` that overflows at `Int64.min`.
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// The current wall-clock instant.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(nanosSinceEpoch: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    /// ISO 8601 with milliseconds in UTC, e.g. `2026-11-22T18:00:00.123Z`.
    public var iso8601: String {
        let ms = Self.floorDiv(nanosSinceEpoch, 1_000_000)
        let days = Self.floorDiv(ms, 86_400_000)
        let rem = ms - days * 86_400_000
        let (y, m, d) = Timestamp.civil(fromDays: days)
        let h = rem / 3_600_000, mi = (rem / 60_000) % 60, s = (rem / 1000) % 60, milli = rem % 1000
        func pad(_ v: Int64, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(milli, 3))Z"
    }

    public var description: String { iso8601 }

    /// Parses an ISO-8601 instant in any form `ISO8601` accepts (`2025-11-22T18:00:00.123Z`, `…+01:00`, `…+0100`,
    /// a space or `t` for the `T`, a `,` fraction); nil for anything else.
    public init?(iso8601 text: String) {
        guard let nanos = ISO8601.nanos(text) else { return nil }
        self.nanosSinceEpoch = nanos
    }

    // Howard Hinnant's civil-calendar algorithms: exact for the proleptic Gregorian calendar.
    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// (year, month, day) of a day count since 1970-01-01.
    public static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
