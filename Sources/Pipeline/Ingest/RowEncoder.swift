import JetStream
import RiskSignalCore

/// A delivered message as encoders see it: subject, payload, headers and stream position.
public struct InboundMessage {
    public let subject: String
    public let payload: UnsafeRawBufferPointer
    public let streamSequence: UInt64
    private let headerLookup: (String) -> String?

    public init(subject: String, payload: UnsafeRawBufferPointer, streamSequence: UInt64, header: @escaping (String) -> String?) {
        self.subject = subject
        self.payload = payload
        self.streamSequence = streamSequence
        self.headerLookup = header
    }

    public func header(_ name: String) -> String? { headerLookup(name) }

    /// When the producer meant to send the event: the `Rs-Intended-Ns` header, else the payload's `intended_ns`.
    public func intendedTime(_ fields: FieldReader? = nil) -> Timestamp? {
        if let h = header(MessageHeader.intendedSendNanos), let ns = Int64(h) { return Timestamp(nanosSinceEpoch: ns) }
        if let f = fields, case .int(let ns)? = f.object["intended_ns"] { return Timestamp(nanosSinceEpoch: ns) }
        return nil
    }

    /// When the producer actually sent the event (`Rs-Sent-Ns`), for the uncorrected end-to-end lag.
    public func sentTime() -> Timestamp? {
        guard let h = header(MessageHeader.actualSendNanos), let ns = Int64(h) else { return nil }
        return Timestamp(nanosSinceEpoch: ns)
    }
}

/// Turns one bus message into the table rows it stands for, or says why it is invalid.
public protocol RowEncoder: Sendable {
    /// The ClickHouse table the rows go to.
    var table: String { get }
    /// JSONEachRow lines (one message may become several rows), or the validation failure.
    func rows(for message: InboundMessage) throws(ValidationError) -> [String]
}

extension JetStreamMessage {
    /// Runs `body` with this message's inbound view (payload valid only inside `body`).
    func withInbound<R>(_ body: (InboundMessage) throws -> R) rethrows -> R {
        let subject = self.subject
        let seq = metadata?.streamSequence ?? 0
        return try withPayload { p in
            try body(InboundMessage(subject: subject, payload: p, streamSequence: seq, header: { self.header($0) }))
        }
    }
}

/// `signals.>` messages to `raw_signals` rows (seed 000's schema).
public struct SignalRowEncoder: RowEncoder {
    public let table = "raw_signals"
    public var validator: RiskSignalValidator

    public init(validator: RiskSignalValidator = .init()) { self.validator = validator }

    public func rows(for m: InboundMessage) throws(ValidationError) -> [String] {
        let s = try validator.validate(m.payload).get()
        let intended = m.intendedTime(), sent = m.sentTime()
        // Same column rules as every other encoder (RowWriter): kept event time, DateTime64 send times.
        do {
            try ColumnLimits.eventTime(s.eventTime)
            if let i = intended { try ColumnLimits.dateTime64(i, field: "\(MessageHeader.intendedSendNanos) header") }
            if let t = sent { try ColumnLimits.dateTime64(t, field: "\(MessageHeader.actualSendNanos) header") }
        } catch { throw ValidationError(error) }
        return [s.clickHouseRow(intended: intended, sent: sent)]
    }
}
