/// `<ns timestamp> <json>`: one received message per line behind an integer nanosecond time; a logged HTTP request
/// line in place of the JSON (`<ns> GET /api/v3/depth?symbol=BTCUSDT&limit=1000`) is context for what follows.
struct NSLineParser: LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        guard let space = line.firstIndex(of: 0x20) else { return .bad("expected '<ns timestamp> <json>', found no space") }
        guard let ts = Timestamps.integer(line[..<space]) else {
            return .bad("expected an integer nanosecond timestamp before the first space")
        }
        if let request = RequestLine.match(line, from: space + 1) {
            return .request(CapturedMessage(timestampNanos: ts, payload: request, origin: .line(lineNumber), isRequest: true))
        }
        if let why = JSONShape.check(line, from: space + 1) { return .bad(why) }
        return .message(CapturedMessage(timestampNanos: ts, payload: JSONShape.payload(line, from: space + 1), origin: .line(lineNumber)))
    }
}
