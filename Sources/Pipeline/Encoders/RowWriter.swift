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

    /// An event time from a message: it must be one the table keeps (`ColumnLimits.eventTime`), not one it would
    /// wrap or drop at once by TTL. `field` is the message's path for the error (`events[2].event_time`).
    mutating func eventTime(_ t: Timestamp, field: String = "event_time", now: Timestamp = .now()) throws(ValidationError) {
        do { try ColumnLimits.eventTime(t, field: field, now: now) } catch { throw ValidationError(error) }
        ownTime("event_time", t)
    }

    /// Any other `DateTime64` value from input.
    mutating func time(_ k: String, _ t: Timestamp, field: String? = nil) throws(ValidationError) {
        do { try ColumnLimits.dateTime64(t, field: field ?? k) } catch { throw ValidationError(error) }
        ownTime(k, t)
    }

    /// A time the pipeline made itself (its clock) or already checked, written as is.
    mutating func ownTime(_ k: String, _ t: Timestamp) {
        key(k)
        text += "\"" + t.clickHouseDateTime64 + "\""
    }

    /// An instant of our own clock (or already checked) for a `DateTime64(6)` column.
    mutating func ownMicros(_ k: String, _ t: Timestamp) {
        key(k)
        text += "\"" + t.clickHouseDateTime64Micro + "\""
    }

    /// An intended time already checked (or made by the pipeline), written as is.
    mutating func ownIntended(_ t: Timestamp?) {
        guard let t else { return }
        ownMicros("intended_at", t)
    }

    /// A value the pipeline computed (alert ratios): a non-finite result is written as 0, its JSON detail keeps it.
    mutating func computed(_ k: String, _ v: Double) {
        key(k)
        text += v.isFinite ? "\(v)" : "0"
    }

    mutating func intended(_ t: Timestamp?) throws(ValidationError) {
        guard let t else { return }
        do { try ColumnLimits.dateTime64(t, field: "intended time (\(MessageHeader.intendedSendNanos) header or intended_ns)") } catch { throw ValidationError(error) }
        ownIntended(t)
    }

    /// Intended and actual send instants of the message (corrected and uncorrected end-to-end lag).
    mutating func timing(_ m: InboundMessage, _ f: FieldReader?) throws(ValidationError) {
        try intended(m.intendedTime(f))
        try sent(m.sentTime())
    }

    mutating func sent(_ t: Timestamp?) throws(ValidationError) {
        guard let t else { return }
        do { try ColumnLimits.dateTime64(t, field: "\(MessageHeader.actualSendNanos) header") } catch { throw ValidationError(error) }
        key("sent_at")
        text += "\"" + t.clickHouseDateTime64Micro + "\""
    }

    /// A `Float64` column: NaN and ±inf are refused (JSONEachRow has no spelling for them), never written as 0.
    mutating func number(_ k: String, _ v: Double, field: String? = nil) throws(ValidationError) {
        do { try ColumnLimits.float64(v, field: field ?? k) } catch { throw ValidationError(error) }
        key(k)
        text += "\(v)"
    }

    /// A `Float32` column.
    mutating func float32(_ k: String, _ v: Double, field: String? = nil) throws(ValidationError) {
        do { try ColumnLimits.float32(v, field: field ?? k) } catch { throw ValidationError(error) }
        key(k)
        text += "\(v)"
    }

    /// A `UInt64` column.
    mutating func number(_ k: String, _ v: UInt64) {
        key(k)
        text += String(v)
    }

    /// A `UInt8`/`UInt16`/`UInt32` column of `bits` bits.
    mutating func unsigned(_ k: String, _ v: UInt64, bits: Int, field: String? = nil) throws(ValidationError) {
        do { try ColumnLimits.unsigned(v, bits: bits, field: field ?? k) } catch { throw ValidationError(error) }
        number(k, v)
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
