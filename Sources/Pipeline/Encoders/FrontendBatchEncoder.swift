import RiskSignalCore

/// `frontend.events.>` messages, each a sendBeacon batch of browser events, to one
/// `frontend_actions` row per event.
///
/// Message: `{"session_id":"s-1","user_id":42,"sent_at":<ms|ISO>,"events":[{"event_time":…,
/// "event_type":"click","element":"#buy","properties":{…}}, …]}`. One bad event rejects the
/// whole beacon, so a batch is stored whole or not at all.
public struct FrontendBatchEncoder: RowEncoder {
    public let table = "frontend_actions"
    public var maxMessageBytes = 256 * 1024
    public var maxEvents = 500

    public init() {}

    public func rows(for m: InboundMessage) throws(ValidationError) -> [String] {
        let f = try FieldReader.parse(m.payload, maxBytes: maxMessageBytes)
        let session = try f.string("session_id", maxLength: 128)
        let userID = try f.optionalUInt64("user_id") ?? 0
        let events = try f.array("events", maxCount: maxEvents)
        guard !events.isEmpty else { throw ValidationError(field: "events", message: "a beacon must carry at least one event") }
        let metadata = f.has("sent_at") ? "{\"sent_at\":\(JSONText.quoted(try f.timestamp("sent_at").iso8601))}" : "{}"
        var rows: [String] = []
        rows.reserveCapacity(events.count)
        for (i, e) in events.enumerated() {
            guard case .object(let o) = e else {
                throw ValidationError(field: "events[\(i)]", message: "expected an object, got \(e.typeName)")
            }
            let ev = FieldReader(o, path: "events[\(i)].")
            var w = RowWriter()
            try w.eventTime(try ev.timestamp("event_time"), field: "events[\(i)].event_time")
            w.string("session_id", session)
            w.number("user_id", userID)
            w.string("event_type", try ev.string("event_type", maxLength: 64))
            w.string("element", try ev.optionalString("element", maxLength: 512) ?? "")
            w.string("properties", try ev.jsonText("properties"))
            w.string("metadata", metadata)
            w.string("event_id", try ev.optionalString("event_id", maxLength: 128) ?? "\(session):\(m.streamSequence):\(i)")
            try w.timing(m, f)
            rows.append(w.finish())
        }
        return rows
    }
}
