/// Size of one JetStream stream at the end of the run.
public struct StreamStats: Codable, Sendable, Equatable {
    public var stream: String
    /// Bytes stored by the stream (JetStream `state.bytes`).
    public var bytes: UInt64
    /// Messages stored by the stream (JetStream `state.messages`).
    public var messages: UInt64
    /// The stream's `max_age` retention in seconds, when it has one.
    public var maxAgeSeconds: Double?

    public init(stream: String, bytes: UInt64, messages: UInt64, maxAgeSeconds: Double? = nil) {
        self.stream = stream
        self.bytes = bytes
        self.messages = messages
        self.maxAgeSeconds = maxAgeSeconds
    }
}
