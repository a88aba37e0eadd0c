/// Why an L2 message was rejected: the field path that failed (`bids[3][1]`, or `$` for the whole payload) and what was expected.
public struct L2DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
