/// Turns one line of a text recording into a message, a counted non-message, or a problem.
protocol LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome
}

/// What one line turned out to be.
enum LineOutcome {
    case message(CapturedMessage)
    /// A request the recorder logged (REST call before a snapshot): context for the messages after it.
    case request(CapturedMessage)
    case accessLog(AccessLogEntry)
    /// A well-formed line that is not a received message (connect, sent, header...); counted under this name.
    case counted(String)
    case bad(String)
}

/// HTTP request lines some recorders log next to the messages (`GET /api/v3/depth?symbol=BTCUSDT&limit=1000`).
enum RequestLine {
    static let methods: [String] = ["GET ", "POST ", "HEAD ", "PUT ", "DELETE "]

    /// The request line starting at `from` (blanks skipped), or nil when the text is not one.
    static func match(_ b: [UInt8], from: Int) -> [UInt8]? {
        var s = from
        while s < b.count, b[s] == 0x20 || b[s] == 0x09 { s += 1 }
        var e = b.count
        while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x09 || b[e - 1] == 0x0d { e -= 1 }
        let rest = b[s..<e]
        for m in methods where rest.starts(with: m.utf8) {
            let target = rest.dropFirst(m.utf8.count)
            if target.first == UInt8(ascii: "/") || target.starts(with: "http".utf8) { return Array(rest) }
        }
        return nil
    }
}

enum JSONShape {
    /// Cheap plausibility check instead of a full parse: an object/array that is closed at the end.
    /// It catches garbled and cut-off lines; deeper validation is the consumer's job.
    static func check(_ b: [UInt8], from: Int) -> String? {
        var s = from
        var e = b.count
        while s < e, b[s] == 0x20 || b[s] == 0x09 { s += 1 }
        while e > s, b[e - 1] == 0x20 || b[e - 1] == 0x09 { e -= 1 }
        guard s < e else { return "no JSON after the timestamp" }
        switch (b[s], b[e - 1]) {
        case (UInt8(ascii: "{"), UInt8(ascii: "}")), (UInt8(ascii: "["), UInt8(ascii: "]")): return nil
        case (UInt8(ascii: "{"), _), (UInt8(ascii: "["), _): return "JSON is not closed (line cut off?)"
        default: return "expected a JSON object or array"
        }
    }

    static func payload(_ b: [UInt8], from: Int) -> [UInt8] {
        var s = from
        while s < b.count, b[s] == 0x20 || b[s] == 0x09 { s += 1 }
        return Array(b[s...])
    }
}
