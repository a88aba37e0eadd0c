/// cryptofeed v3 JSONL: `{"t":"recv","ts":<float s>,"data":"<frame as a JSON string>"}`; send/connect counted.
struct CryptofeedV3Parser: LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        var scanner = JSONScanner(line)
        var kind: [UInt8]?
        var ts: Int64?
        var data: [UInt8]?
        do throws(JSONScanner.Failure) {
            try scanner.object { key, value throws(JSONScanner.Failure) in
                switch (key, value) {
                case ("t", .string(let s)): kind = s
                case ("ts", .number(let r)): ts = Timestamps.secondsToNanos(line[r])
                case ("data", .string(let s)): data = s
                default: break
                }
            }
            try scanner.end()
        } catch {
            return .bad("invalid JSON envelope: \(error.message) at byte \(error.offset)")
        }
        guard let kind else { return .bad("envelope has no string \"t\"") }
        let k = String(decoding: kind, as: UTF8.self)
        guard k == "recv" else { return .counted(k) }
        guard let ts else { return .bad("recv envelope has no numeric \"ts\"") }
        guard let data else { return .bad("recv envelope has no string \"data\"") }
        return .message(CapturedMessage(timestampNanos: ts, payload: data, origin: .line(lineNumber)))
    }
}
