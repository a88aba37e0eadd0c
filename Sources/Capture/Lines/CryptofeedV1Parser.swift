/// cryptofeed v1 text: `<url> <-> <ts>` connect, `<url> <- <ts>: <json>` sent, `<ts>: <json>` received.
struct CryptofeedV1Parser: LineParser {
    func parse(_ line: [UInt8], lineNumber: Int) -> LineOutcome {
        guard let first = line.first else { return .bad("empty") }
        if (first >= 0x30 && first <= 0x39), let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            guard let ts = Timestamps.secondsToNanos(line[..<colon]) else {
                return .bad("expected '<float seconds>: <json>'")
            }
            if let why = JSONShape.check(line, from: colon + 1) { return .bad(why) }
            return .message(CapturedMessage(timestampNanos: ts, payload: JSONShape.payload(line, from: colon + 1), origin: .line(lineNumber)))
        }
        // "<url> <-> <ts>" or "<url> <- <ts>: <json>"; the URL has no spaces.
        guard let space = line.firstIndex(of: 0x20) else { return .bad("expected '<ts>: <json>' or '<url> <-|<-> <ts>'") }
        let rest = line[(space + 1)...]
        if rest.starts(with: Array("<-> ".utf8)) {
            guard Timestamps.secondsToNanos(rest.dropFirst(4)) != nil else { return .bad("connect line without a float timestamp") }
            return .counted("connect")
        }
        if rest.starts(with: Array("<- ".utf8)) {
            return .counted("sent")
        }
        return .bad("expected '<ts>: <json>' or '<url> <-|<-> <ts>'")
    }
}
