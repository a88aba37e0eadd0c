/// Redaction of credentials in anything that is printed: URLs, errors, logs, reports, printed commands.
///
/// One function for the whole code base, so a new message cannot forget a form: it masks
/// the password (or a lone token) in every `scheme://user:password@host` it finds, and the value of every
/// `name=value` whose name says it is a secret (`password=`, `token=`, `CLICKHOUSE_PASSWORD=`, `api_key=`…).
extension ConnectionConfig {
    /// What a secret is replaced by.
    public static let redactionMark = "***"

    /// `text` with credentials masked; text without credentials comes back unchanged.
    public static func redacted(_ text: String) -> String {
        let b = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        let mark = Array(redactionMark.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: ":"), i + 2 < b.count, b[i + 1] == UInt8(ascii: "/"), b[i + 2] == UInt8(ascii: "/") {
                out.append(contentsOf: [c, b[i + 1], b[i + 2]])
                i += 3
                var end = i
                var at: Int?
                while end < b.count, !isAuthorityEnd(b[end]) {
                    if b[end] == UInt8(ascii: "@") { at = end }
                    end += 1
                }
                if let at {
                    // `user:password@` keeps the user; a lone `token@` is all secret.
                    if let colon = b[i..<at].firstIndex(of: UInt8(ascii: ":")) {
                        out.append(contentsOf: b[i...colon])
                    }
                    out.append(contentsOf: mark)
                    out.append(contentsOf: b[at..<end])
                } else {
                    out.append(contentsOf: b[i..<end])
                }
                i = end
                continue
            }
            if c == UInt8(ascii: "="), isSecretName(before: i, in: b) {
                out.append(c)
                i += 1
                var end = i
                if end < b.count, b[end] == UInt8(ascii: "\"") || b[end] == UInt8(ascii: "'") {
                    // A quoted value: the quotes stay, the content goes.
                    let q = b[end]
                    end += 1
                    while end < b.count, b[end] != q { end += 1 }
                    out.append(q)
                    out.append(contentsOf: mark)
                    if end < b.count { out.append(q); end += 1 }
                    i = end
                    continue
                }
                while end < b.count, !isValueEnd(b[end]) { end += 1 }
                if end > i { out.append(contentsOf: mark) }
                i = end
                continue
            }
            out.append(c)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The NATS URLs as they may be printed (comma-separated).
    public var redactedNATSURLs: String { Self.redacted(natsURLs.joined(separator: ",")) }
    /// The ClickHouse URL as it may be printed.
    public var redactedClickHouseURL: String { Self.redacted(clickHouseURL) }

    /// Names whose value is a secret: the end of the name decides (`CLICKHOUSE_PASSWORD`, `NATS_TOKEN`, `OPENAI_API_KEY`).
    static let secretNameSuffixes = ["password", "passwd", "pwd", "token", "secret", "api_key", "apikey", "api-key",
                                     "x-clickhouse-key", "credentials"]

    private static func isSecretName(before equals: Int, in b: [UInt8]) -> Bool {
        var start = equals
        while start > 0, isNameByte(b[start - 1]) { start -= 1 }
        guard start < equals else { return false }
        let name = String(decoding: b[start..<equals], as: UTF8.self).lowercased()
        return name == "pass" || secretNameSuffixes.contains { name.hasSuffix($0) }
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
    }

    private static func isAuthorityEnd(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "/") || c == UInt8(ascii: "?") || c == UInt8(ascii: "#") || c == UInt8(ascii: ",")
            || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">")
            || c == UInt8(ascii: ")") || c == UInt8(ascii: "]") || c <= 0x20
    }

    private static func isValueEnd(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "&") || c == UInt8(ascii: ",") || c == UInt8(ascii: ";") || c == UInt8(ascii: "\"")
            || c == UInt8(ascii: "'") || c == UInt8(ascii: "#") || c == UInt8(ascii: ")") || c <= 0x20
    }
}
