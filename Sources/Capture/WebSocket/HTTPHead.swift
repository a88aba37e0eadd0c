/// The start line and headers of an HTTP/1.x request or response (the WebSocket handshake).
struct HTTPHead {
    var startLine: String
    var headers: [(String, String)]

    /// Parses the head if `bytes` holds a complete one; returns it and the length including the blank line.
    static func parse(_ bytes: [UInt8]) -> (HTTPHead, Int)? {
        guard let end = find(bytes, [0x0d, 0x0a, 0x0d, 0x0a]) else { return nil }
        let text = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let start = lines.isEmpty ? "" : lines.removeFirst()
        var headers: [(String, String)] = []
        for l in lines {
            guard let colon = l.firstIndex(of: ":") else { continue }
            headers.append((l[..<colon].trimmingSpaces.lowercased(), l[l.index(after: colon)...].trimmingSpaces))
        }
        return (HTTPHead(startLine: start, headers: headers), end + 4)
    }

    func header(_ name: String) -> String? { headers.first { $0.0 == name }?.1 }

    static func find(_ b: [UInt8], _ needle: [UInt8]) -> Int? {
        guard b.count >= needle.count else { return nil }
        var i = 0
        while i <= b.count - needle.count {
            if b[i] == needle[0] && b[i + 1] == needle[1] && b[i + 2] == needle[2] && b[i + 3] == needle[3] { return i }
            i += 1
        }
        return nil
    }
}
