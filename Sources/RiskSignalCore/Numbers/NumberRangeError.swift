/// A number from outside that cannot be used where it is going: the field it came from, what was
/// given and the range that is accepted. Callers wrap it in their own error (a scenario issue with
/// file/line/key, a message's `ValidationError`, a flag error) so the reader sees where it came from.
public struct NumberRangeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field, key or flag the value came from (`event_time`, `workloads[0].rate`, `--loop`).
    public var field: String
    /// The value as given (shortened), e.g. `1e+300`, `nan`, `-9223372036854775808`.
    public var got: String
    /// What is accepted, e.g. `a whole number of nanoseconds in ±292 years`.
    public var expected: String

    public init(field: String, got: String, expected: String) {
        self.field = field
        self.got = String(got.prefix(60))
        self.expected = expected
    }

    /// The message without the field: `expected …, got …`.
    public var message: String { "expected \(expected), got \(got)" }

    public var description: String { "\(field): \(message)" }

    /// The same failure as a message-field error (DLQ reason).
    public var validationError: ValidationError { ValidationError(field: field, message: message) }
}

extension ValidationError {
    /// A range failure as a field error.
    public init(_ e: NumberRangeError) { self.init(field: e.field, message: e.message) }
}
