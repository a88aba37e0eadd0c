import CNATS
import Dispatch
import Synchronization

/// The messages libnats hands to a pull consumer's inbox subscription, queued for the consumer's own thread.
///
/// The inbox is an asynchronous subscription feeding this queue rather than a synchronous one read with
/// `natsSubscription_NextMsg`: libnats' `NextMsg` destroys any message with an empty body and a `Status: 503`
/// header as a "no responders" reply and returns `NATS_NO_RESPONDERS` instead. A stream may hold exactly such a
/// message (a user header `Status: 503`); read through `NextMsg` it would vanish on every delivery until JetStream
/// gave up on it, never stored, dead-lettered or acked. Here every message arrives, and the consumer decides.
final class InboxQueue: @unchecked Sendable {
    private let messages = Mutex<[UnsafeSendable<OpaquePointer>]>([])
    /// One signal per queued message.
    private let available = DispatchSemaphore(value: 0)

    /// Called on libnats' delivery thread; takes ownership of the message.
    func push(_ m: OpaquePointer) {
        messages.withLock { $0.append(UnsafeSendable(m)) }
        available.signal()
    }

    /// The next message, waiting up to `timeoutMs`; nil when none came.
    func pop(timeoutMs: Int64) -> OpaquePointer? {
        guard available.wait(timeout: .now() + .milliseconds(Int(max(0, timeoutMs)))) == .success else { return nil }
        return messages.withLock { $0.isEmpty ? nil : $0.removeFirst().value }
    }

    /// Messages queued now.
    var count: Int { messages.withLock { $0.count } }

    /// Destroys whatever is still queued (the consumer is going away).
    func drain() {
        let left = messages.withLock { q -> [UnsafeSendable<OpaquePointer>] in
            defer { q.removeAll() }
            return q
        }
        for m in left { natsMsg_Destroy(m.value) }
    }
}

/// The libnats callback of an inbox subscription: hands each message to its `InboxQueue`.
let inboxMessageHandler: natsMsgHandler = { _, _, msg, closure in
    guard let msg else { return }
    guard let closure else { natsMsg_Destroy(msg); return }
    Unmanaged<InboxQueue>.fromOpaque(closure).takeUnretainedValue().push(msg)
}
