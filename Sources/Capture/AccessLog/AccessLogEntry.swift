/// One web server request from an access log.
public struct AccessLogEntry: Sendable, Equatable {
    public var host: String
    /// Request time in nanoseconds since the Unix epoch (logs have second resolution).
    public var timeNanos: Int64
    public var method: String
    public var path: String
    /// "HTTP/1.0" etc.; empty for HTTP/0.9-style requests that name none.
    public var `protocol`: String
    public var status: Int
    /// Response bytes; 0 when logged as "-" or empty.
    public var bytes: Int
    public var referer: String?
    public var userAgent: String?
    /// Where in the log it came from.
    public var line: Int

    public init(host: String, timeNanos: Int64, method: String, path: String, protocol: String, status: Int,
                bytes: Int, referer: String? = nil, userAgent: String? = nil, line: Int) {
        self.host = host
        self.timeNanos = timeNanos
        self.method = method
        self.path = path
        self.protocol = `protocol`
        self.status = status
        self.bytes = bytes
        self.referer = referer
        self.userAgent = userAgent
        self.line = line
    }

    /// Splits `"GET /path HTTP/1.0"`; a request that is not three words keeps the raw text as its path.
    static func splitRequest(_ r: String) -> (method: String, path: String, proto: String) {
        let parts = r.split(separator: " ", omittingEmptySubsequences: true)
        switch parts.count {
        case 3: return (String(parts[0]), String(parts[1]), String(parts[2]))
        case 2: return (String(parts[0]), String(parts[1]), "")
        default: return ("", r, "")
        }
    }
}
