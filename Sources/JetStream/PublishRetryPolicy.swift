import CNATS

/// Async publishes that got no ack (ack timeout, no responders, a stream leader being elected) are *not yet
/// published*: each is sent again with the same `Nats-Msg-Id`, so the stream's duplicate window makes the retry
/// idempotent, after a doubling backoff, until `attempts` sends in all. Only then is it counted failed. A message
/// without an id is never re-sent (a second copy could be stored), nor is one the server refused for good.
public struct PublishRetryPolicy: Sendable, Equatable {
    /// Sends per message, the first included; 1 turns retries off. 12 spans about 15 s of backoff: a stream leader
    /// SIGKILLed on loopback took about 5 s to be replaced (no responders meanwhile), so this leaves room for slower ones.
    public var attempts: Int = 12
    /// How long an async publish waits for its ack before it counts as lost (and is retried).
    public var ackTimeout: Duration = .seconds(5)
    /// Wait before the first retry; it doubles per retry up to `maxBackoff`.
    public var initialBackoff: Duration = .milliseconds(100)
    public var maxBackoff: Duration = .seconds(2)

    public init() {}

    /// The wait before retry number `retry` (1 for the first).
    public func backoff(retry: Int) -> Duration {
        let doubled = initialBackoff * (1 << min(max(retry - 1, 0), 20))
        return min(doubled, maxBackoff)
    }

    /// Whether a publish that failed this way may be sent again: no ack came, or the cluster was between leaders.
    static func isTransient(status: natsStatus, jsCode: Int) -> Bool {
        if [NATS_TIMEOUT, NATS_NO_RESPONDERS, NATS_CONNECTION_DISCONNECTED, NATS_NOT_YET_CONNECTED].contains(status) { return true }
        // 10008 JetStream temporarily unavailable, 10009 not the leader: both pass once a leader is elected.
        return jsCode == 10008 || jsCode == 10009
    }

    /// The header that counts a message's sends; present only on a re-sent message.
    static let attemptHeader = "Rs-Publish-Attempt"
}
