/// Generic JSONL: each line is one JSON value, handed over raw with its line number (no timestamp).
struct JSONLParser: LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        if let why = JSONShape.check(line, from: 0) { return .bad(why) }
        return .message(CapturedMessage(timestampNanos: 0, payload: JSONShape.payload(line, from: 0), origin: .line(lineNumber)))
    }
}
