import RiskSignalCore

/// Builds one JSONEachRow line field by field, with escaping done once per value.
struct RowWriter {
    private(set) var text = "{"
    private var first = true

    private mutating func key(_ k: String) {
        text += first ? "\"" : ",\""
        first = false
        text += k
        text += "\":"
    }

    mutating func string(_ k: String, _ v: String) {
        key(k)
        JSONText.appendQuoted(v, to: &text)
    }

    mutating func time(_ k: String, _ t: Timestamp) {
        key(k)
        text += "\"" + t.clickHouseDateTime64 + "\""
    }

    mutating func intended(_ t: Timestamp?) {
        guard let t else { return }
        key("intended_at")
        text += "\"" + t.clickHouseDateTime64Micro + "\""
    }

    /// Intended and actual send instants of the message (corrected and uncorrected end-to-end lag).
    mutating func timing(_ m: InboundMessage, _ f: FieldReader?) {
        intended(m.intendedTime(f))
        sent(m.sentTime())
    }

    mutating func sent(_ t: Timestamp?) {
        guard let t else { return }
        key("sent_at")
        text += "\"" + t.clickHouseDateTime64Micro + "\""
    }

    mutating func number(_ k: String, _ v: Double) {
        key(k)
        text += v.isFinite ? "\(v)" : "0"
    }

    mutating func number(_ k: String, _ v: UInt64) {
        key(k)
        text += String(v)
    }

    mutating func bool(_ k: String, _ v: Bool) {
        key(k)
        text += v ? "true" : "false"
    }

    /// A pre-serialised JSON value (arrays of tuples).
    mutating func raw(_ k: String, _ json: String) {
        key(k)
        text += json
    }

    mutating func finish() -> String {
        text += "}"
        return text
    }
}

extension InboundMessage {
    /// The last subject token (the symbol in `market.trades.BTC-USDT`).
    var subjectSuffix: Substring { subject.split(separator: ".").last ?? "" }

    /// Checks that a symbol in the payload agrees with the subject it was published on.
    func requireSubjectSymbol(_ symbol: String) throws(ValidationError) {
        guard subjectSuffix == symbol else {
            throw ValidationError(field: "symbol", message: "\"\(symbol)\" does not match the subject \(subject)")
        }
    }
}
