/// Why an adapter rejected one exchange message: the field path that failed (`data[2].price`, or `$` for the whole
/// message) and what was expected. The caller counts and skips the message; the adapter's state is unchanged.
///
/// The reason is the one classification every adapter and every replay report uses (`MessageClass`): a malformed
/// message is bad input, a well-formed one of a kind we do not map is unsupported, and a book message that cannot be
/// placed (a REST snapshot naming no symbol) leaves that book unsynced.
public struct AdapterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it was, for counting rejects by cause.
    public enum Reason: String, Sendable, Hashable {
        /// Not valid JSON / IEX-TP, or a field missing, of the wrong type or out of range.
        case malformed
        /// Well-formed, but a message kind (event type, table, topic, IEX message type) this adapter does not map:
        /// valid input we do not support, never "bad".
        case unknownKind = "unsupported"
        /// Well-formed, but it names no symbol and the adapter was given none (a bare REST depth snapshot).
        case noSymbol = "no symbol"
    }

    public var reason: Reason
    public var field: String
    public var message: String
    /// For `.unknownKind`: the venue's own name of the kind (`kline`, `quote`, `tickers`), for counting.
    public var kind: String?

    public init(reason: Reason, field: String, message: String, kind: String? = nil) {
        self.reason = reason
        self.field = field
        self.message = message
        self.kind = kind
    }

    public var description: String { "\(reason.rawValue) \(field): \(message)" }

    static func malformed(_ field: String, _ message: String) -> AdapterError {
        AdapterError(reason: .malformed, field: field, message: message)
    }

    static func missing(_ field: String) -> AdapterError {
        AdapterError(reason: .malformed, field: field, message: "required field is missing")
    }

    /// A valid message of a kind we do not map; `kind` is the venue's name for it.
    static func unsupported(_ field: String, kind: String, _ message: String) -> AdapterError {
        AdapterError(reason: .unknownKind, field: field, message: message, kind: kind)
    }
}
