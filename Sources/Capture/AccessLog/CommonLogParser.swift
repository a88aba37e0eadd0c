import RiskSignalCore

/// Common and Combined Log Format:
/// `host ident user [10/Oct/2000:13:55:36 -0700] "GET /x HTTP/1.0" 200 2326 ["referer" "user agent"]`.
struct CommonLogParser: LineParser {
    private static let months: [String: Int] = ["Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "May": 5, "Jun": 6,
                                                "Jul": 7, "Aug": 8, "Sep": 9, "Oct": 10, "Nov": 11, "Dec": 12]

    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        var p = 0
        func word() -> String? {
            guard let sp = line[p...].firstIndex(of: 0x20) else { return nil }
            defer { p = sp + 1 }
            return String(decoding: line[p..<sp], as: UTF8.self)
        }
        guard let host = word(), word() != nil, word() != nil else { return .bad("expected 'host ident user [time]'") }
        guard p < line.count, line[p] == UInt8(ascii: "["), let close = line[p...].firstIndex(of: UInt8(ascii: "]")) else {
            return .bad("expected '[dd/Mon/yyyy:hh:mm:ss +zzzz]' after host ident user")
        }
        guard let time = Self.parseTime(Array(line[(p + 1)..<close])) else {
            return .bad("bad time '\(String(decoding: line[(p + 1)..<close], as: UTF8.self))', expected dd/Mon/yyyy:hh:mm:ss +zzzz")
        }
        p = close + 1
        guard p + 1 < line.count, line[p] == 0x20, line[p + 1] == UInt8(ascii: "\"") else { return .bad("expected '\"request\"' after the time") }
        p += 2
        guard let request = quoted(line, &p) else { return .bad("request string not closed") }
        guard p < line.count, line[p] == 0x20 else { return .bad("expected status after the request") }
        p += 1
        let rest = line[p...].split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
        guard rest.count >= 2, let status = Timestamps.integer(rest[0]) else { return .bad("expected a numeric status") }
        let bytes: Int64
        if rest[1].elementsEqual([UInt8(ascii: "-")]) { bytes = 0 } else if let b = Timestamps.integer(rest[1]) { bytes = b } else {
            return .bad("expected byte count or '-' after the status")
        }
        var referer: String?
        var agent: String?
        if rest.count == 3 {
            // Combined: "referer" "user agent"
            var q = rest[2].startIndex
            guard q < line.count, line[q] == UInt8(ascii: "\"") else { return .bad("expected '\"referer\" \"user agent\"' after the byte count") }
            q += 1
            referer = quoted(line, &q)
            if q + 1 < line.count, line[q] == 0x20, line[q + 1] == UInt8(ascii: "\"") {
                q += 2
                agent = quoted(line, &q)
            }
            if referer == nil { return .bad("referer string not closed") }
        }
        let (method, path, proto) = AccessLogEntry.splitRequest(request)
        return .accessLog(AccessLogEntry(host: host, timeNanos: time, method: method, path: path, protocol: proto,
                                         status: Int(status), bytes: Int(bytes),
                                         referer: referer == "-" ? nil : referer, userAgent: agent == "-" ? nil : agent,
                                         line: lineNumber))
    }

    /// A quoted string starting after its opening quote; backslash escapes kept verbatim. Leaves `p` after the closing quote.
    private func quoted(_ line: [UInt8], _ p: inout Int) -> String? {
        var i = p
        while i < line.count {
            if line[i] == UInt8(ascii: "\\") { i += 2; continue }
            if line[i] == UInt8(ascii: "\"") {
                defer { p = i + 1 }
                return String(decoding: line[p..<i], as: UTF8.self)
            }
            i += 1
        }
        return nil
    }

    /// "10/Oct/2000:13:55:36 -0700" → epoch ns.
    static func parseTime(_ t: [UInt8]) -> Int64? {
        guard t.count == 26, t[2] == UInt8(ascii: "/"), t[6] == UInt8(ascii: "/"), t[11] == UInt8(ascii: ":"), t[20] == 0x20 else { return nil }
        func num(_ r: Range<Int>) -> Int? { Timestamps.integer(t[r]).map { Int($0) } }
        guard let day = num(0..<2), let month = months[String(decoding: t[3..<6], as: UTF8.self)], let year = num(7..<11),
              let hh = num(12..<14), let mm = num(15..<17), let ss = num(18..<20), let zh = num(22..<24), let zm = num(24..<26),
              t[21] == UInt8(ascii: "+") || t[21] == UInt8(ascii: "-") else { return nil }
        let offset = (zh * 3600 + zm * 60) * (t[21] == UInt8(ascii: "-") ? -1 : 1)
        let days = Int(Timestamp.days(fromCivil: Int64(year), Int64(month), Int64(day)))
        let secs = days * 86_400 + hh * 3600 + mm * 60 + ss - offset  // 4-digit years: at most ~2.5e11 s
        return try? EpochUnit.seconds.nanos(Int64(secs), field: "time")  // nil past 2262: the line is reported as bad
    }
}
