/// `<ns timestamp> <json>`: one received message per line behind an integer nanosecond time.
struct NSLineParser: LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        guard let space = line.firstIndex(of: 0x20) else { return .bad("expected '<ns timestamp> <json>', found no space") }
        guard let ts = Timestamps.integer(line[..<space]) else {
            return .bad("expected an integer nanosecond timestamp before the first space")
        }
        if let why = JSONShape.check(line, from: space + 1) { return .bad(why) }
        return .message(CapturedMessage(timestampNanos: ts, payload: JSONShape.payload(line, from: space + 1), origin: .line(lineNumber)))
    }
}
