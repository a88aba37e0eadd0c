/// Why an adapter rejected one exchange message: the field path that failed (`data[2].price`, or `$` for the whole
/// message) and what was expected. The caller counts and skips the message; the adapter's state is unchanged.
public struct AdapterError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it was, for counting rejects by cause.
    public enum Reason: String, Sendable, Hashable {
        /// Not valid JSON / IEX-TP, or a field missing, of the wrong type or out of range.
        case malformed
        /// Well-formed, but a message kind (event type, table, topic, IEX message type) this adapter does not know.
        case unknownKind
    }

    public var reason: Reason
    public var field: String
    public var message: String

    public init(reason: Reason, field: String, message: String) {
        self.reason = reason
        self.field = field
        self.message = message
    }

    public var description: String { "\(reason.rawValue) \(field): \(message)" }

    static func malformed(_ field: String, _ message: String) -> AdapterError {
        AdapterError(reason: .malformed, field: field, message: message)
    }

    static func missing(_ field: String) -> AdapterError {
        AdapterError(reason: .malformed, field: field, message: "required field is missing")
    }

    static func unknown(_ field: String, _ message: String) -> AdapterError {
        AdapterError(reason: .unknownKind, field: field, message: message)
    }
}
