/// One event to publish: subject, JSON payload and ids; `intendedNanos` is when it is due (ns since epoch).
public struct GeneratedEvent: Sendable {
    public var subject: String
    public var payload: [UInt8]
    public var eventID: String
    public var intendedNanos: Int64

    public init(subject: String, payload: [UInt8], eventID: String, intendedNanos: Int64) {
        self.subject = subject
        self.payload = payload
        self.eventID = eventID
        self.intendedNanos = intendedNanos
    }
}
