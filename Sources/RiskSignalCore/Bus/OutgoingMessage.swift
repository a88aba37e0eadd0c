/// A message to publish on the bus: subject, headers and payload bytes.
public struct OutgoingMessage: Sendable {
    public var subject: String
    public var headers: [(name: String, value: String)]
    public var payload: [UInt8]
    /// Sent as `Nats-Msg-Id`, so JetStream drops a republished duplicate within its window.
    public var messageID: String?

    public init(subject: String, payload: [UInt8], headers: [(name: String, value: String)] = [], messageID: String? = nil) {
        self.subject = subject
        self.payload = payload
        self.headers = headers
        self.messageID = messageID
    }

    public init(subject: String, text: String, headers: [(name: String, value: String)] = [], messageID: String? = nil) {
        self.init(subject: subject, payload: Array(text.utf8), headers: headers, messageID: messageID)
    }
}

/// Header names the pipeline and rsbench agree on.
public enum MessageHeader {
    /// Why a message was dead-lettered (`field: message`).
    public static let dlqReason = "Rs-Dlq-Reason"
    /// The subject the dead-lettered message was first published on.
    public static let dlqSubject = "Rs-Dlq-Subject"
    /// The stream sequence of the dead-lettered message in its source stream.
    public static let dlqStreamSequence = "Rs-Dlq-Stream-Seq"
    /// How often JetStream had delivered the message when it was dead-lettered.
    public static let dlqDeliveries = "Rs-Dlq-Deliveries"
    /// Insert (or handling) attempts made before giving up, when storing it failed.
    public static let dlqAttempts = "Rs-Dlq-Attempts"
    /// The last error storing it, when storing it failed.
    public static let dlqLastError = "Rs-Dlq-Last-Error"
    /// `true` when the DLQ copy's body is cut to fit the server's max payload.
    public static let dlqTruncated = "Rs-Dlq-Truncated"
    /// The size in bytes of the original body (set with `dlqTruncated`).
    public static let dlqOriginalSize = "Rs-Dlq-Original-Size"
    /// The SHA-256 (hex) of the original body (set with `dlqTruncated`).
    public static let dlqOriginalSHA256 = "Rs-Dlq-Original-Sha256"
    /// The instant the event was meant to be sent, in ns since the epoch (open-loop measurement).
    public static let intendedSendNanos = "Rs-Intended-Ns"
    /// The instant the producer actually handed the event to NATS, ns since the epoch (uncorrected measurement).
    public static let actualSendNanos = "Rs-Sent-Ns"
    public static let traceID = "Rs-Trace-Id"
}
