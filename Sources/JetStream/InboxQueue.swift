import CNATS
import RiskSignalCore
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The messages libnats hands to a pull consumer's inbox subscription, queued for the consumer's own thread.
///
/// The inbox is an asynchronous subscription feeding this queue rather than a synchronous one read with
/// `natsSubscription_NextMsg`: libnats' `NextMsg` destroys any message with an empty body and a `Status: 503`
/// header as a "no responders" reply and returns `NATS_NO_RESPONDERS` instead. A stream may hold exactly such a
/// message (a user header `Status: 503`); read through `NextMsg` it would vanish on every delivery until JetStream
/// gave up on it, never stored, dead-lettered or acked. Here every message arrives, and the consumer decides.
///
/// One mutex and one condition variable: the delivery thread takes the lock once per message and wakes the consumer
/// only when what it waits for is there (as many deliveries as its fetch still wants, or a pull status that may end
/// the fetch), and the consumer takes everything queued in one round. A fetch filling at 6,000 messages/s costs one
/// wake-up per batch, not one per message: a context switch per message was the pipeline's largest single cost.
final class InboxQueue: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cond: UnsafeMutablePointer<pthread_cond_t>
    /// A message and the wall-clock instant it reached the inbox (the consumer's `fetched_at`: it may sit here while
    /// the fetch waits for the rest of its batch, and that wait belongs to `batch_wait`, not to JetStream).
    struct Arrival {
        var message: OpaquePointer
        var at: Timestamp
        /// Whether it is a stream delivery (a `$JS.ACK.` reply) rather than a pull status; read once, here.
        var isDelivery: Bool
    }

    /// Guarded by `mutex`.
    private var messages: [Arrival] = []
    /// Guarded by `mutex`: the consumer sleeps on `cond` until this many messages are queued (0: not waiting).
    private var wakeAt = 0

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        cond = .allocate(capacity: 1)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        #if canImport(Glibc)
        // Deadlines on the monotonic clock: a wall-clock step must not stretch or cut a fetch.
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        drain()
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    /// Called on libnats' delivery thread; takes ownership of the message.
    func push(_ m: OpaquePointer) {
        // A message without a `$JS.ACK.` reply is a pull status (404, 408, 409, heartbeat): it may end the fetch.
        let arrival = Arrival(message: m, at: Timestamp.now(), isDelivery: PullConsumer.isDelivery(m))
        pthread_mutex_lock(mutex)
        messages.append(arrival)
        let wake = wakeAt > 0 && (!arrival.isDelivery || messages.count >= wakeAt)
        if wake { wakeAt = 0 }
        pthread_mutex_unlock(mutex)
        if wake { pthread_cond_signal(cond) }
    }

    /// Moves every queued message (in arrival order) to the end of `out`. When none is queued it waits up to
    /// `timeoutMs` for `wanted` deliveries or one pull status, whichever comes first; returns how many were moved
    /// (0 when the wait ended empty).
    func takeAll(into out: inout [Arrival], timeoutMs: Int64, wanted: Int = 1) -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if messages.isEmpty && timeoutMs > 0 {
            var deadline = timespec()
            clock_gettime(CLOCK_MONOTONIC, &deadline)
            let ns = Int64(deadline.tv_nsec) + (timeoutMs % 1000) * 1_000_000
            deadline.tv_sec += Int(timeoutMs / 1000) + Int(ns / 1_000_000_000)
            deadline.tv_nsec = Int(ns % 1_000_000_000)
            wakeAt = max(1, wanted)
            // `push` clears `wakeAt` when it signals; a spurious wake-up finds it still set and sleeps on.
            while wakeAt > 0 {
                if pthread_cond_timedwait(cond, mutex, &deadline) == ETIMEDOUT { break }
            }
            wakeAt = 0
        }
        let n = messages.count
        if n > 0 {
            out.append(contentsOf: messages)
            messages.removeAll(keepingCapacity: true)
        }
        return n
    }

    /// Messages queued now.
    var count: Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return messages.count
    }

    /// Destroys whatever is still queued (the consumer is going away).
    func drain() {
        var left: [Arrival] = []
        _ = takeAll(into: &left, timeoutMs: 0)
        for a in left { natsMsg_Destroy(a.message) }
    }
}

/// The libnats callback of an inbox subscription: hands each message to its `InboxQueue`.
let inboxMessageHandler: natsMsgHandler = { _, _, msg, closure in
    guard let msg else { return }
    guard let closure else { natsMsg_Destroy(msg); return }
    Unmanaged<InboxQueue>.fromOpaque(closure).takeUnretainedValue().push(msg)
}
