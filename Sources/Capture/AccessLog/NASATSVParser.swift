import RiskSignalCore

/// The NASA-HTTP trace as TSV: header `host logname time method url response bytes referer useragent`,
/// time in epoch seconds, empty bytes/referer/useragent allowed.
struct NASATSVParser: LineParser {
    static let header: [UInt8] = Array("host\tlogname\ttime\tmethod\turl\tresponse\tbytes\treferer\tuseragent".utf8)

    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        if line == Self.header { return .counted("header") }
        let f = line.split(separator: 0x09, omittingEmptySubsequences: false)
        guard f.count == 9 else { return .bad("expected 9 tab-separated columns, found \(f.count)") }
        guard let t = Timestamps.integer(f[2]) else { return .bad("time column is not epoch seconds") }
        guard let time = try? EpochUnit.seconds.nanos(t, field: "time") else { return .bad("time column \(t) is past 2262 (epoch seconds)") }
        guard let status = Timestamps.integer(f[5]) else { return .bad("response column is not a number") }
        let bytes: Int64
        if f[6].isEmpty || f[6].elementsEqual([UInt8(ascii: "-")]) { bytes = 0 } else if let b = Timestamps.integer(f[6]) { bytes = b } else {
            return .bad("bytes column is not a number")
        }
        func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
        func optional(_ s: ArraySlice<UInt8>) -> String? { s.isEmpty || s.elementsEqual([UInt8(ascii: "-")]) ? nil : text(s) }
        // The URL column may hold a whole "GET /x HTTP/1.0"-less path; the protocol is not in this trace.
        return .accessLog(AccessLogEntry(host: text(f[0]), timeNanos: time, method: text(f[3]), path: text(f[4]),
                                         protocol: "", status: Int(status), bytes: Int(bytes),
                                         referer: optional(f[7]), userAgent: optional(f[8]), line: lineNumber))
    }
}
