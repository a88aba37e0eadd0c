import CNATS
import Foundation
@testable import JetStream
import Testing

/// The pull consumer's inbox wakes its reader once per batch (or per pull status), not once per message.
@Suite("Inbox queue wake-ups")
struct InboxQueueTests {
    /// A libnats message as the inbox receives it: a delivery has a `$JS.ACK.` reply, a pull status has none.
    static func message(reply: String?) -> OpaquePointer {
        // libnats' globals (its lock and message pool) exist only after nats_Open; a second call is a no-op.
        precondition(nats_Open(-1) == NATS_OK, "nats_Open failed")
        var m: OpaquePointer?
        let s = natsMsg_Create(&m, "_INBOX.test.1", reply, "x", 1)
        precondition(s == NATS_OK && m != nil, "natsMsg_Create failed: \(s)")
        return m!
    }

    static let delivery = "$JS.ACK.S.c.1.1.1.1763800000000000000.0"

    @Test func aWaitingReaderWakesWhenItsBatchIsComplete() async throws {
        let queue = InboxQueue()
        // Deliveries arrive one at a time, a little apart: a reader woken by the first would see only it.
        let pusher = Thread {
            for _ in 0..<3 {
                Thread.sleep(forTimeInterval: 0.03)
                queue.push(Self.message(reply: Self.delivery))
            }
        }
        pusher.start()
        var out: [InboxQueue.Arrival] = []
        let n = queue.takeAll(into: &out, timeoutMs: 5_000, wanted: 3)
        #expect(n == 3, "the reader slept until all three of its wanted messages were there")
        // Each message keeps the instant it arrived (its `fetched_at`), not the instant the reader woke.
        if n == 3 { #expect(out[0].at.nanosSinceEpoch + 40_000_000 < out[2].at.nanosSinceEpoch) }
        let deliveries = out.filter { $0.isDelivery }.count
        #expect(deliveries == 3, "each arrival says, once, whether it is a delivery")
        for a in out { natsMsg_Destroy(a.message) }
    }

    @Test func aPullStatusWakesTheReaderAtOnce() {
        let queue = InboxQueue()
        let pusher = Thread {
            Thread.sleep(forTimeInterval: 0.03)
            queue.push(Self.message(reply: nil))  // e.g. a 404 or 408 that ends the request
        }
        pusher.start()
        var out: [InboxQueue.Arrival] = []
        let started = Date()
        let n = queue.takeAll(into: &out, timeoutMs: 10_000, wanted: 1_000)
        #expect(n == 1)
        #expect(out.first?.isDelivery == false)
        #expect(Date().timeIntervalSince(started) < 9, "a status ends the wait; the reader does not sit out its timeout")
        for a in out { natsMsg_Destroy(a.message) }
    }

    @Test func aTimedOutWaitReturnsWhatCame() {
        let queue = InboxQueue()
        queue.push(Self.message(reply: Self.delivery))
        var out: [InboxQueue.Arrival] = []
        // Something is queued already: it is taken without waiting for the rest of the batch.
        #expect(queue.takeAll(into: &out, timeoutMs: 1_000, wanted: 10) == 1)
        // Nothing queued and nothing coming: the wait ends empty at its deadline.
        #expect(queue.takeAll(into: &out, timeoutMs: 20, wanted: 10) == 0)
        #expect(out.count == 1)
        for a in out { natsMsg_Destroy(a.message) }
    }
}
