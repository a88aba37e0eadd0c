import Foundation

/// One generic risk signal (seed 000's event): validated, ready to become a `raw_signals` row.
public struct RiskSignal: Sendable, Equatable {
    public var eventTime: Timestamp
    public var sourceID: String
    public var eventType: String
    /// The payload object as compact JSON text.
    public var payload: String
    public var severity: UInt8
    public var traceID: String
    public var userID: String
    public var walletAddress: String

    public init(eventTime: Timestamp, sourceID: String, eventType: String, payload: String,
                severity: UInt8, traceID: String, userID: String = "", walletAddress: String = "") {
        self.eventTime = eventTime
        self.sourceID = sourceID
        self.eventType = eventType
        self.payload = payload
        self.severity = severity
        self.traceID = traceID
        self.userID = userID
        self.walletAddress = walletAddress
    }

    /// The JSON message a producer publishes (seed 000's shape: ISO `event_time`, object `payload`).
    public func messageJSON() -> String {
        var out = "{\"event_time\":"
        JSONText.appendQuoted(eventTime.iso8601, to: &out)
        out += ",\"source_id\":"; JSONText.appendQuoted(sourceID, to: &out)
        out += ",\"event_type\":"; JSONText.appendQuoted(eventType, to: &out)
        out += ",\"payload\":" + payload
        out += ",\"severity\":\(severity)"
        out += ",\"trace_id\":"; JSONText.appendQuoted(traceID, to: &out)
        if !userID.isEmpty { out += ",\"user_id\":"; JSONText.appendQuoted(userID, to: &out) }
        if !walletAddress.isEmpty { out += ",\"wallet_address\":"; JSONText.appendQuoted(walletAddress, to: &out) }
        out += "}"
        return out
    }

    /// One JSONEachRow line for `raw_signals` (no trailing newline); `intended` is when the producer meant to send it.
    public func clickHouseRow(intended: Timestamp? = nil, sent: Timestamp? = nil) -> String {
        var out = "{\"event_time\":\"" + eventTime.clickHouseDateTime64 + "\""
        out += ",\"event_id\":\"" + traceID + "\""
        if let intended { out += ",\"intended_at\":\"" + intended.clickHouseDateTime64Micro + "\"" }
        if let sent { out += ",\"sent_at\":\"" + sent.clickHouseDateTime64Micro + "\"" }
        out += ",\"source_id\":"; JSONText.appendQuoted(sourceID, to: &out)
        out += ",\"event_type\":"; JSONText.appendQuoted(eventType, to: &out)
        out += ",\"payload\":"; JSONText.appendQuoted(payload, to: &out)
        out += ",\"severity\":\(severity)"
        out += ",\"trace_id\":"; JSONText.appendQuoted(traceID, to: &out)
        out += ",\"user_id\":"; JSONText.appendQuoted(userID, to: &out)
        out += ",\"wallet_address\":"; JSONText.appendQuoted(walletAddress, to: &out)
        out += "}"
        return out
    }
}

/// Checks an incoming signal message against the schema and names the first field that fails.
public struct RiskSignalValidator: Sendable {
    /// Largest accepted message, in bytes; bigger ones go to the DLQ unparsed.
    public var maxMessageBytes: Int
    public var severityRange: ClosedRange<Int64>

    public init(maxMessageBytes: Int = 64 * 1024, severityRange: ClosedRange<Int64> = 0...10) {
        self.maxMessageBytes = maxMessageBytes
        self.severityRange = severityRange
    }

    public func validate(_ bytes: some Collection<UInt8>) -> Result<RiskSignal, ValidationError> {
        Result { () throws(ValidationError) in try validate(FieldReader.parse(bytes, maxBytes: maxMessageBytes)) }
    }

    public func validate(_ value: JSONValue) throws(ValidationError) -> RiskSignal {
        guard case .object(let o) = value else {
            throw .init(field: "$", message: "expected a JSON object, got \(value.typeName)")
        }
        return try validate(FieldReader(o))
    }

    /// Seed 000's schema; `event_time` must be an ISO 8601 string (the seed sends `toISOString()`).
    func validate(_ f: FieldReader) throws(ValidationError) -> RiskSignal {
        let o = f.object
        let eventTime: Timestamp
        switch o["event_time"] {
        case .string(let s)?:
            guard let t = Timestamp(iso8601: s) else {
                throw .init(field: "event_time", message: "expected an ISO 8601 timestamp like 2026-11-22T18:00:00.123Z, got \"\(s.prefix(40))\"")
            }
            eventTime = t
        case nil: throw .init(field: "event_time", message: "required field is missing")
        case let v?: throw .init(field: "event_time", message: "expected an ISO 8601 timestamp string, got \(v.typeName)")
        }
        let sourceID = try f.string("source_id", maxLength: 128)
        let eventType = try f.string("event_type", maxLength: 64)
        let payload: String
        switch o["payload"] {
        case .object?: payload = o["payload"]!.jsonText
        case nil: throw .init(field: "payload", message: "required field is missing")
        case let v?: throw .init(field: "payload", message: "expected an object, got \(v.typeName)")
        }
        let severity: Int64
        switch o["severity"] {
        case .int(let i)?: severity = i
        case .double(let d)? where d == d.rounded() && abs(d) < 1e9: severity = Int64(d)
        case nil: throw .init(field: "severity", message: "required field is missing")
        case let v?: throw .init(field: "severity", message: "expected an integer \(severityRange.lowerBound)...\(severityRange.upperBound), got \(v.typeName)")
        }
        guard severityRange.contains(severity) else {
            throw .init(field: "severity", message: "expected an integer \(severityRange.lowerBound)...\(severityRange.upperBound), got \(severity)")
        }
        let traceID = try f.string("trace_id", maxLength: 36)
        guard Self.isUUID(traceID) else {
            throw .init(field: "trace_id", message: "expected a UUID like 123e4567-e89b-12d3-a456-426614174000, got \"\(traceID)\"")
        }
        let userID = try f.optionalString("user_id", maxLength: 128) ?? ""
        let wallet = try f.optionalString("wallet_address", maxLength: 128) ?? ""
        if !wallet.isEmpty, !Self.isWalletAddress(wallet) {
            throw .init(field: "wallet_address", message: "expected 0x followed by 40 hex digits, got \"\(wallet.prefix(64))\"")
        }
        return RiskSignal(eventTime: eventTime, sourceID: sourceID, eventType: eventType, payload: payload,
                          severity: UInt8(severity), traceID: traceID.lowercased(), userID: userID, walletAddress: wallet)
    }

    static func isUUID(_ s: String) -> Bool {
        let b = Array(s.utf8)
        guard b.count == 36 else { return false }
        for (i, c) in b.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != 45 { return false }
            } else if !isHex(c) {
                return false
            }
        }
        return true
    }

    static func isWalletAddress(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return b.count == 42 && b[0] == 48 && (b[1] == 120 || b[1] == 88) && b[2...].allSatisfy(isHex)
    }

    static func isHex(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
    }
}
