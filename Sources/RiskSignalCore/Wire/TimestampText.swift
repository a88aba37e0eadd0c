/// The one reader for instants written as text by people's tools (social posts, recordings, messages).
///
/// Accepted:
/// - everything `ISO8601` accepts (`2020-12-01T00:00:21Z`, `2020-12-01 00:00:21+05:30`, …);
/// - ISO date and time followed by a space and a zone abbreviation: `2020-12-01 00:00:21 IST`;
/// - Twitter's `created_at`: `Tue Dec 01 00:00:21 +0000 2020`;
/// - RFC 2822 / RSS: `Tue, 01 Dec 2020 00:00:21 +0000` (weekday optional, seconds optional, zone as an offset
///   or an abbreviation);
/// - epoch numbers as text, `1606780821`, `1606780821123`, `1606780821.5`: integers in s, ms, µs or ns told apart
///   by size (`EpochUnit.guess`), decimals in seconds.
///
/// Zone abbreviations (fixed offsets; the abbreviation already says whether daylight time applies):
/// UTC, UT, GMT, Z 0; WET 0, WEST +1, BST +1 (British Summer Time), CET +1, CEST +2, EET +2, EEST +3, MSK +3,
/// IST +5:30 (India: IST also names Irish and Israel time, India is by far the most common in social data),
/// SGT +8, HKT +8, AWST +8, JST +9, KST +9, AEST +10, AEDT +11, NZST +12, NZDT +13;
/// EST −5, EDT −4, CST −6 (US Central, not China), CDT −5, MST −7, MDT −6, PST −8, PDT −7, AKST −9, AKDT −8, HST −10.
/// Any other abbreviation is an error naming it; a time with no zone is refused as ambiguous.
public enum TimestampText {
    /// Offsets in seconds east of UTC of the accepted zone abbreviations.
    public static let zoneOffsets: [String: Int64] = [
        "UTC": 0, "UT": 0, "GMT": 0, "Z": 0, "WET": 0, "WEST": 3600, "BST": 3600, "CET": 3600, "CEST": 7200,
        "EET": 7200, "EEST": 10800, "MSK": 10800, "IST": 19800, "SGT": 28800, "HKT": 28800, "AWST": 28800,
        "JST": 32400, "KST": 32400, "AEST": 36000, "AEDT": 39600, "NZST": 43200, "NZDT": 46800,
        "EST": -18000, "EDT": -14400, "CST": -21600, "CDT": -18000, "MST": -25200, "MDT": -21600,
        "PST": -28800, "PDT": -25200, "AKST": -32400, "AKDT": -28800, "HST": -36000,
    ]

    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let weekdays: Set<String> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    static let expected = "an ISO-8601 time with a zone, `2020-12-01 00:00:21 UTC` (zone abbreviation), `Tue Dec 01 00:00:21 +0000 2020`, `Tue, 01 Dec 2020 00:00:21 +0000` or epoch seconds/milliseconds"

    /// Nanoseconds since the epoch of `text`, or a field error naming what was not understood.
    public static func nanos(_ text: String, field: String) throws(ValidationError) -> Int64 {
        let t = text.trimmingSpaces
        func fail(_ why: String? = nil) -> ValidationError {
            ValidationError(field: field, message: (why.map { $0 + "; " } ?? "") + "expected \(expected), got \"\(text.prefix(60))\"")
        }
        guard !t.isEmpty, t.utf8.count <= 64 else { throw fail() }
        if let n = ISO8601.nanos(t) { return n }
        let first = t.utf8.first!
        if (first >= 0x30 && first <= 0x39) || first == UInt8(ascii: "-") {
            if let n = try epoch(t, field: field) { return n }
        }
        let words = t.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        // ISO date and time, then a zone abbreviation or offset as its own word.
        if words.count == 3 || words.count == 2, words[0].utf8.count == 10, words[0].utf8.dropFirst(4).first == UInt8(ascii: "-") {
            guard words.count == 3 else { throw fail("no time zone (the time would be ambiguous)") }
            guard let offset = zone(words[2]) else { throw fail("unknown time zone \"\(words[2].prefix(8))\"") }
            guard let local = ISO8601.nanos(words[0] + "T" + words[1] + "Z") else { throw fail() }
            return try shift(local, offset, field: field)
        }
        var w = words
        if let d = w.first, weekdays.contains(d.lowercased().trimmingCommas) { w.removeFirst() }
        // Twitter: Mon DD HH:MM:SS ±HHMM YYYY
        if w.count == 5, let mo = month(w[0]), let d = Int64(w[1]), let offset = zone(w[3]), let y = Int64(w[4]) {
            return try civil(y, mo, d, time: w[2], offset: offset, field: field, fail: fail)
        }
        // RFC 2822: DD Mon YYYY HH:MM[:SS] zone
        if w.count == 5, let d = Int64(w[0]), let mo = month(w[1]), let y = Int64(w[2]) {
            guard let offset = zone(w[4]) else { throw fail("unknown time zone \"\(w[4].prefix(8))\"") }
            return try civil(y, mo, d, time: w[3], offset: offset, field: field, fail: fail)
        }
        throw fail()
    }

    /// Epoch text: an integer (unit by size) or a decimal number of seconds; nil when it is not a number at all.
    static func epoch(_ t: String, field: String) throws(ValidationError) -> Int64? {
        let what = "epoch seconds, milliseconds, microseconds or nanoseconds between 1677 and 2262"
        if let i = Int64(t) {
            do { return try EpochUnit.nanosGuessingUnit(i, field: field) } catch { throw ValidationError(error) }
        }
        guard t.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }),
              let d = Double(t) else { return nil }
        do {
            guard d >= 0 else { throw NumberRangeError(field: field, got: t, expected: what) }
            return try EpochUnit.seconds.nanos(d, field: field)
        } catch {
            throw ValidationError(field: field, message: "expected \(what), got \(t.prefix(40))")
        }
    }

    /// Seconds east of UTC of `±HHMM`, `±HH:MM` or an abbreviation from `zoneOffsets`.
    static func zone(_ z: String) -> Int64? {
        if let o = zoneOffsets[z.uppercased()] { return o }
        let u = Array(z.utf8)
        guard u.count == 5 || u.count == 6, u[0] == UInt8(ascii: "+") || u[0] == UInt8(ascii: "-") else { return nil }
        let digits = u.count == 6 ? (u[3] == UInt8(ascii: ":") ? Array(u[1...2] + u[4...5]) : []) : Array(u[1...4])
        guard digits.count == 4, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        let h = Int64(digits[0] - 0x30) * 10 + Int64(digits[1] - 0x30), m = Int64(digits[2] - 0x30) * 10 + Int64(digits[3] - 0x30)
        guard h < 24, m < 60 else { return nil }
        return (h * 3600 + m * 60) * (u[0] == UInt8(ascii: "-") ? -1 : 1)
    }

    static func month(_ s: String) -> Int64? {
        guard s.utf8.count >= 3 else { return nil }
        return months.firstIndex(of: String(s.lowercased().prefix(3))).map { Int64($0 + 1) }
    }

    static func civil(_ y: Int64, _ mo: Int64, _ d: Int64, time: String, offset: Int64, field: String,
                      fail: (String?) -> ValidationError) throws(ValidationError) -> Int64 {
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.utf8.count == 2 }) else { throw fail(nil) }
        let pad = { (v: Int64, n: Int) -> String in let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        guard (1...9999).contains(y), (1...31).contains(d) else { throw fail(nil) }
        let iso = "\(pad(y, 4))-\(pad(mo, 2))-\(pad(d, 2))T\(time)\(parts.count == 2 ? ":00" : "")Z"
        guard let local = ISO8601.nanos(iso) else { throw fail(nil) }
        return try shift(local, offset, field: field)
    }

    /// Local time minus its zone's offset, failing past the Int64 nanosecond range.
    static func shift(_ local: Int64, _ offsetSeconds: Int64, field: String) throws(ValidationError) -> Int64 {
        let (r, o) = local.subtractingReportingOverflow(offsetSeconds * 1_000_000_000)
        guard !o else { throw ValidationError(field: field, message: "expected a time between 1677 and 2262") }
        return r
    }
}

extension String {
    var trimmingSpaces: String {
        var u = Substring(self)
        while let c = u.first, c == " " || c == "\t" { u = u.dropFirst() }
        while let c = u.last, c == " " || c == "\t" || c == "\r" || c == "\n" { u = u.dropLast() }
        return String(u)
    }

    var trimmingCommas: String { replacingOccurrences(of: ",", with: "") }
}
