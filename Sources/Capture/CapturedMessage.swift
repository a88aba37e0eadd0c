/// One message read from a capture: a recorded line's payload or a WebSocket message.
public struct CapturedMessage: Sendable {
    /// Receive/capture time in nanoseconds since the Unix epoch (0 when the format has none, e.g. plain JSONL).
    public var timestampNanos: Int64
    public var payload: [UInt8]
    public var origin: Origin
    /// False only for WebSocket binary messages and recordings with a non-UTF-8 payload.
    public var isText: Bool
    /// The subject from our own recording format; nil elsewhere.
    public var subject: String?
    /// Headers from our own recording format; empty elsewhere. Order kept, duplicates allowed.
    public var headers: [(String, String)]
    /// True for a request the recorder logged rather than a message it received (`GET /api/v3/depth?symbol=…`
    /// before a REST snapshot); the payload is the request line. It gives context, it is not replayed.
    public var isRequest: Bool

    public init(timestampNanos: Int64, payload: [UInt8], origin: Origin, isText: Bool = true,
                subject: String? = nil, headers: [(String, String)] = [], isRequest: Bool = false) {
        self.isRequest = isRequest
        self.timestampNanos = timestampNanos
        self.payload = payload
        self.origin = origin
        self.isText = isText
        self.subject = subject
        self.headers = headers
    }

    /// The payload as text (invalid UTF-8 repaired), for logs and tests.
    public var text: String { String(decoding: payload, as: UTF8.self) }
}
