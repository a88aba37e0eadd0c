import Foundation

/// Reads lines of our recording format (see `RecordingFormat`).
struct RecordingParser: LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        var scanner = JSONScanner(line)
        var version: Int64?
        var ts: Int64?
        var subject: String?
        var headersRange: Range<Int>?
        var payload: [UInt8]?
        var isText = true
        var b64Failed = false
        do throws(JSONScanner.Failure) {
            try scanner.object { key, value throws(JSONScanner.Failure) in
                switch (key, value) {
                case ("v", .number(let r)): version = Timestamps.integer(line[r])
                case ("t", .number(let r)): ts = Timestamps.integer(line[r])
                case ("subject", .string(let s)): subject = String(decoding: s, as: UTF8.self)
                case ("headers", .object(let r)): headersRange = r
                case ("payload", .string(let s)): payload = s
                case ("payload_b64", .string(let s)):
                    if let d = Data(base64Encoded: Data(s)) { payload = [UInt8](d); isText = false } else { b64Failed = true }
                default: break
                }
            }
            try scanner.end()
        } catch {
            return .bad("invalid recording line: \(error.message) at byte \(error.offset)")
        }
        guard version == 1 else { return .bad("expected \"v\":1 (recording format version)") }
        guard let ts else { return .bad("missing integer \"t\" (receive nanoseconds)") }
        if b64Failed { return .bad("\"payload_b64\" is not valid base64") }
        guard let payload else { return .bad("missing \"payload\" or \"payload_b64\"") }
        var headers: [(String, String)] = []
        if let r = headersRange {
            var h = JSONScanner(line, from: r.lowerBound)
            var bad = false
            do {
                try h.object { k, v throws(JSONScanner.Failure) in
                    if case .string(let s) = v { headers.append((k, String(decoding: s, as: UTF8.self))) } else { bad = true }
                }
            } catch { bad = true }
            if bad { return .bad("\"headers\" must be an object of strings") }
        }
        return .message(CapturedMessage(timestampNanos: ts, payload: payload, origin: .line(lineNumber),
                                        isText: isText, subject: subject, headers: headers))
    }
}
