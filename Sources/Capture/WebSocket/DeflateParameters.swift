/// permessage-deflate as agreed in the server's 101 response (RFC 7692).
public struct DeflateParameters: Sendable, Equatable {
    public var serverNoContextTakeover = false
    public var clientNoContextTakeover = false
    public var serverMaxWindowBits: Int?
    public var clientMaxWindowBits: Int?

    public init() {}

    /// Parses a `Sec-WebSocket-Extensions` value; nil when permessage-deflate is not among the extensions.
    public static func parse(_ header: String) -> DeflateParameters? {
        for ext in header.split(separator: ",") {
            let params = ext.split(separator: ";").map { $0.trimmingSpaces }
            guard params.first?.lowercased() == "permessage-deflate" else { continue }
            var p = DeflateParameters()
            for param in params.dropFirst() {
                let kv = param.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces }
                let value = kv.count > 1 ? Int(kv[1].trimmingCharacters(in: "\"")) : nil
                switch kv[0].lowercased() {
                case "server_no_context_takeover": p.serverNoContextTakeover = true
                case "client_no_context_takeover": p.clientNoContextTakeover = true
                case "server_max_window_bits": p.serverMaxWindowBits = value ?? 15
                case "client_max_window_bits": p.clientMaxWindowBits = value ?? 15
                default: break
                }
            }
            return p
        }
        return nil
    }

    func noContextTakeover(_ d: Direction) -> Bool { d == .serverToClient ? serverNoContextTakeover : clientNoContextTakeover }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }

    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}
