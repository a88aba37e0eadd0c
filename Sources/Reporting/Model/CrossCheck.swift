/// A consistency check between two counts of the same events (acked vs stored vs DLQ).
public struct CrossCheck: Codable, Sendable, Equatable {
    /// Whether the actual count matches what was expected.
    public enum Status: String, Codable, Sendable {
        case ok, loss, excess
    }

    /// Short identifier, e.g. `acked_vs_stream` or `stream_vs_rows.trades`.
    public var name: String
    public var expected: Double
    public var actual: Double
    public var status: Status
    /// One sentence a human can act on.
    public var text: String

    public init(name: String, expected: Double, actual: Double, status: Status, text: String) {
        self.name = name
        self.expected = expected
        self.actual = actual
        self.status = status
        self.text = text
    }

    /// Builds a check whose status follows from the counts; `tolerance` absorbs in-flight events.
    public static func comparing(name: String, expected: Double, actual: Double, tolerance: Double = 0, what: String) -> CrossCheck {
        let diff = actual - expected
        let status: Status = abs(diff) <= tolerance ? .ok : (diff < 0 ? .loss : .excess)
        let text: String
        switch status {
        case .ok: text = "\(what): \(Fmt.count(actual)) of \(Fmt.count(expected)) as expected"
        case .loss: text = "\(what): \(Fmt.count(-diff)) missing (\(Fmt.count(actual)) of \(Fmt.count(expected)))"
        case .excess: text = "\(what): \(Fmt.count(diff)) more than expected (\(Fmt.count(actual)) vs \(Fmt.count(expected))) — duplicates?"
        }
        return CrossCheck(name: name, expected: expected, actual: actual, status: status, text: text)
    }
}
