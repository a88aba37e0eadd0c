/// Why one message was rejected: the field that failed and what was expected of it.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field path (`severity`, `payload.amount`), or `$` for the whole message.
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
