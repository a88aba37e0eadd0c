/// The one classification of an exchange message that produced no events, shared by every adapter and the replay
/// report: mapped kinds are counted by the adapter; the rest is unsupported (valid, not mapped), unsynced (a book
/// message with nothing to place it by) or bad (malformed, with the field and what was expected).
public enum MessageClass: Sendable, Hashable {
    /// A valid message of a kind we do not map, under the venue's name for the kind (`kline`, `quote`, `heartbeat`).
    case unsupported(kind: String)
    /// A book message that cannot be applied (no symbol); the book stays unsynced and the reason is counted.
    case unsynced(reason: String)
    /// Malformed input: not what the venue documents.
    case bad(field: String, reason: String)

    /// How a rejected message counts.
    public init(_ error: AdapterError) {
        switch error.reason {
        case .malformed: self = .bad(field: error.field, reason: error.message)
        case .unknownKind: self = .unsupported(kind: error.kind ?? error.field)
        case .noSymbol: self = .unsynced(reason: error.message)
        }
    }
}
