import JetStream
import Testing

@Suite("JetStream ack subjects")
struct AckSubjectTests {
    @Test func parsesTheNineTokenForm() throws {
        let m = try #require(DeliveryMetadata(ackSubject: "$JS.ACK.TRADES.trades-to-clickhouse.2.1041.977.1763800000123456789.15"))
        #expect(m.numDelivered == 2)
        #expect(m.streamSequence == 1041)
        #expect(m.consumerSequence == 977)
        #expect(m.timestampNanos == 1_763_800_000_123_456_789)
        #expect(m.numPending == 15)
    }

    @Test func parsesTheDomainForm() throws {
        let m = try #require(DeliveryMetadata(ackSubject: "$JS.ACK.hub.ACCHASH.TRADES.durable.1.7.6.1763800000000000000.0.rnd"))
        #expect(m.streamSequence == 7)
        #expect(m.consumerSequence == 6)
        #expect(m.numPending == 0)
    }

    @Test func readsTheLargestValuesAndRejectsOverflow() throws {
        let m = try #require(DeliveryMetadata(ackSubject: "$JS.ACK.S.c.1.18446744073709551615.2.9223372036854775807.0"))
        #expect(m.streamSequence == UInt64.max)
        #expect(m.timestampNanos == Int64.max)
        #expect(DeliveryMetadata(ackSubject: "$JS.ACK.S.c.1.18446744073709551616.2.3.0") == nil)
        #expect(DeliveryMetadata(ackSubject: "$JS.ACK.S.c.1.2.3.9223372036854775808.0") == nil)
        #expect(DeliveryMetadata(ackSubject: "$JS.ACK.S.c.1..3.4.0") == nil)
        #expect(DeliveryMetadata(ackSubject: "$JS.ACK.S.c.1.-2.3.4.0") == nil)
    }

    @Test func rejectsOtherSubjects() {
        #expect(DeliveryMetadata(ackSubject: "_INBOX.abc.1") == nil)
        #expect(DeliveryMetadata(ackSubject: "$JS.ACK.S.c.x.1.1.1.1") == nil)
    }
}
