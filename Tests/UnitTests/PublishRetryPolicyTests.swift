import CNATS
@testable import JetStream
import Testing

/// Which publish failures are retried (same `Nats-Msg-Id`), and how long each retry waits.
@Suite("Publish retry policy")
struct PublishRetryPolicyTests {
    @Test func backoffDoublesUpToItsCeiling() {
        let p = PublishRetryPolicy()
        #expect((1...7).map { p.backoff(retry: $0) } == [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800),
                                                          .milliseconds(1600), .seconds(2), .seconds(2)])
        // Far past the ceiling the doubling does not overflow.
        #expect(p.backoff(retry: 500) == .seconds(2))
    }

    @Test func onlyALostAckOrALeaderlessStreamIsRetried() {
        #expect(PublishRetryPolicy.isTransient(status: NATS_TIMEOUT, jsCode: 0))
        #expect(PublishRetryPolicy.isTransient(status: NATS_NO_RESPONDERS, jsCode: 0))
        #expect(PublishRetryPolicy.isTransient(status: NATS_ERR, jsCode: 10008))
        #expect(PublishRetryPolicy.isTransient(status: NATS_ERR, jsCode: 10009))
        // Refused for good: a wrong expected sequence, a stream that does not exist, a full stream.
        #expect(!PublishRetryPolicy.isTransient(status: NATS_ERR, jsCode: 10071))
        #expect(!PublishRetryPolicy.isTransient(status: NATS_NOT_FOUND, jsCode: 10059))
        #expect(!PublishRetryPolicy.isTransient(status: NATS_ERR, jsCode: 10077))
    }
}
