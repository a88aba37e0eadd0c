import MarketData

/// One normalised market event, ready to publish on the subject that its kind and symbol name.
public enum NormalizedEvent: Sendable, Hashable {
    case book(L2Update)
    case trade(Trade)
    case quote(Quote)

    /// `market.l2raw.<SYM>`, `market.trades.<SYM>` or `market.quotes.<SYM>`.
    public var subject: String {
        switch self {
        case .book(let u): u.subject
        case .trade(let t): t.subject
        case .quote(let q): q.subject
        }
    }

    public var symbol: String {
        switch self {
        case .book(let u): u.symbol
        case .trade(let t): t.symbol
        case .quote(let q): q.symbol
        }
    }

    /// The wire JSON for `subject`; `intendedNanos` is when the replay meant to send it (omitted when nil).
    public func jsonPayload(intendedNanos: Int64? = nil) -> [UInt8] {
        switch self {
        case .book(let u): u.jsonPayload(intendedNanos: intendedNanos)
        case .trade(let t): t.jsonPayload(intendedNanos: intendedNanos)
        case .quote(let q): q.jsonPayload(intendedNanos: intendedNanos)
        }
    }
}
