/// Whether a run's event ids (and so the `Nats-Msg-Id` JetStream deduplicates on) are its own or repeat with the seed.
///
/// By default each run draws a random nonce and mixes it into id generation: running the same scenario or `produce`
/// twice within JetStream's 2-minute duplicate window publishes everything twice instead of having the second run
/// dropped as duplicates. `--repeatable-ids` keeps ids derived from the seed only (nonce 0), for exact re-runs.
public struct EventIDPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Mixed into id counters and appended to ids that come from elsewhere (recordings); 0 when repeatable.
    public let nonce: UInt64

    public init(nonce: UInt64) { self.nonce = nonce }

    /// Ids from the seed only, the same in every run.
    public static let repeatable = EventIDPolicy(nonce: 0)

    /// A fresh random nonce: ids of this run differ from any other run's.
    public static func perRun() -> EventIDPolicy {
        EventIDPolicy(nonce: UInt64.random(in: 1...UInt64.max))
    }

    /// `--repeatable-ids` given or not.
    public static func choose(repeatable: Bool) -> EventIDPolicy { repeatable ? .repeatable : .perRun() }

    public var isRepeatable: Bool { nonce == 0 }

    /// The nonce as 16 hex digits, as printed and recorded in the report.
    public var nonceHex: String {
        let h = String(nonce, radix: 16)
        return String(repeating: "0", count: max(0, 16 - h.count)) + h
    }

    public var description: String {
        isRepeatable ? "repeatable ids (from the seed only; a re-run within 2 minutes is deduplicated by JetStream)"
                     : "per-run id nonce \(nonceHex) (--repeatable-ids for ids from the seed only)"
    }

    /// An id taken from outside (a recording's): suffixed with this run's nonce, or unchanged when repeatable.
    public func scoped(_ id: String) -> String { isRepeatable ? id : "\(id)~\(nonceHex)" }
}
