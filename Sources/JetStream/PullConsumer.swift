import CNATS
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Dispatch
import RiskSignalCore

/// A bound durable pull consumer: fetch batches, then ack, nak or term each message.
///
/// It speaks JetStream's pull protocol itself (a `CONSUMER.MSG.NEXT` request per fetch, replies on a
/// private inbox) rather than through `natsSubscription_Fetch`: libnats 3.4.1's fetch can return more
/// messages than the array it allocated for the batch (seen under AddressSanitizer: a read one slot past
/// an 8,000-byte block for a batch of 1,000), which corrupted the heap under load. Collecting into a
/// Swift array has no such limit, and late replies to an expired request are simply picked up next time.
/// Replies arrive through an asynchronous subscription into an `InboxQueue`, never `natsSubscription_NextMsg`, which
/// silently destroys an empty message carrying `Status: 503`; status messages are told from deliveries by their
/// reply subject (a delivery always has its `$JS.ACK.` reply), so a stream message that looks like a status is handled.
public final class PullConsumer: @unchecked Sendable {
    /// A wildcard subscription on `<inbox>.*`; each fetch asks for replies on `<inbox>.<n>`.
    private let subscription: OpaquePointer
    /// Where the subscription's messages wait for a fetch.
    private let queue: InboxQueue
    private let inbox: String
    private let nextSubject: String
    private var requestNumber = 0
    /// Taken from the queue in one round but not handled yet; touched only on `lane` (and in deinit).
    private var taken: [InboxQueue.Arrival] = []
    private var takenHead = 0
    public let spec: ConsumerSpec
    public let context: JetStreamContext
    /// Fetches block until messages arrive or the wait ends; they do so on this consumer's own thread.
    private let lane: BlockingLane

    init(subscription: OpaquePointer, queue: InboxQueue, inbox: String, spec: ConsumerSpec, context: JetStreamContext, lane: BlockingLane,
         apiPrefix: String = "$JS.API") {
        self.subscription = subscription
        self.queue = queue
        self.inbox = inbox
        self.nextSubject = "\(apiPrefix).CONSUMER.MSG.NEXT.\(spec.stream).\(spec.durable)"
        self.spec = spec
        self.context = context
        self.lane = lane
    }

    deinit {
        // Only our inbox subscription goes; the durable and its progress stay on the server.
        natsSubscription_Destroy(subscription)
        for a in taken[takenHead...] { natsMsg_Destroy(a.message) }
        queue.drain()
    }

    /// Up to `batch` messages; returns early with fewer when `maxWait` passes, and `[]` when none came. With a
    /// `linger`, it returns at most that long after the first message came, whatever is in hand: a consumer that
    /// acts on each message (alert detection, webhooks) waits long while idle, briefly once something arrives.
    public func fetch(batch: Int, maxWait: Duration, linger: Duration? = nil) async throws(NATSError) -> [JetStreamMessage] {
        try await lane.run { () throws(NATSError) -> [JetStreamMessage] in
            try self.fetchBlocking(batch: max(1, batch), maxWait: maxWait, linger: linger)
        }
    }

    private func fetchBlocking(batch: Int, maxWait: Duration, linger: Duration?) throws(NATSError) -> [JetStreamMessage] {
        var out: [JetStreamMessage] = []
        // Replies that arrived after an earlier fetch gave up are real deliveries: take them first.
        var queued = taken.count - takenHead + queue.count
        while out.count < batch, queued > 0 {
            queued -= 1
            guard let a = nextMessage(timeoutMs: 1) else { break }
            if let jm = take(a) { out.append(jm) }
        }
        if out.count >= batch { return out }

        // Like libnats: first take what is there now (`no_wait`, answered at once, ended by a 404); only when
        // that finds nothing, wait on the server (`expires`) until the batch fills or the time is up.
        let waitMs = max(1, maxWait.totalMilliseconds)
        var deadline = DispatchTime.now().uptimeNanoseconds + UInt64(waitMs) * 1_000_000
        let lingerNs = linger.map { UInt64(max(0, $0.totalNanoseconds)) }
        var longPoll = batch - out.count == 1
        var reply = try request(batch: batch - out.count, noWait: !longPoll, waitMs: waitMs)
        while out.count < batch {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { break }
            // Lingering, the first delivery is woken for alone (then the deadline moves up); otherwise the whole batch is.
            let wanted = lingerNs != nil && out.isEmpty ? 1 : batch - out.count
            guard let a = nextMessage(timeoutMs: max(1, Int64((deadline - now) / 1_000_000)), wanted: wanted) else { break }
            let m = a.message
            // Only the server's own pull responses are status messages: they come without a reply subject. A stream
            // message always carries its `$JS.ACK.` reply, even an empty one with a user header `Status: 404`,
            // and is a delivery to hand on (the consumer dead-letters it), never a control message to drop.
            if !a.isDelivery, let status = Self.status(of: m) {
                // 100 is a heartbeat; anything else (404 no messages, 408 expired, 409 limits) ends *our* request,
                // but a status addressed to an older request says nothing about this one.
                let forThis = reply.withCString { strcmp(natsMsg_GetSubject(m), $0) == 0 }
                natsMsg_Destroy(m)
                guard forThis && status != "100" else { continue }
                if !longPoll && out.isEmpty && status == "404" {
                    longPoll = true
                    let left = Int64((deadline - min(deadline, DispatchTime.now().uptimeNanoseconds)) / 1_000_000)
                    guard left > 0 else { break }
                    reply = try request(batch: batch, noWait: false, waitMs: left)
                    continue
                }
                break
            }
            if let jm = take(a) {
                out.append(jm)
                // What the server sends for this request after we return waits in the inbox for the next fetch.
                if out.count == 1, let lingerNs { deadline = min(deadline, DispatchTime.now().uptimeNanoseconds + lingerNs) }
            }
        }
        return out
    }

    /// Sends one `CONSUMER.MSG.NEXT` request; replies come to the returned subject.
    private func request(batch: Int, noWait: Bool, waitMs: Int64) throws(NATSError) -> String {
        requestNumber &+= 1
        let reply = "\(inbox).\(requestNumber)"
        // The server ends a waiting request a little before we stop waiting, so its 408 usually reaches us.
        let expiresNs = max(1, waitMs > 20 ? waitMs - 10 : waitMs) * 1_000_000
        let body = noWait ? "{\"batch\":\(batch),\"no_wait\":true}" : "{\"batch\":\(batch),\"expires\":\(expiresNs)}"
        let s = body.withCString { natsConnection_PublishRequest(context.connection.handle, nextSubject, reply, $0, Int32(strlen($0))) }
        try NATSError.check(s, "requesting messages from consumer \(spec.durable)")
        return reply
    }

    /// The next message on the inbox, or nil after `timeoutMs`. Messages are taken from the queue a round at a time;
    /// an empty queue is waited on until `wanted` deliveries or a pull status arrive.
    private func nextMessage(timeoutMs: Int64, wanted: Int = 1) -> InboxQueue.Arrival? {
        if takenHead == taken.count {
            taken.removeAll(keepingCapacity: true)
            takenHead = 0
            guard queue.takeAll(into: &taken, timeoutMs: timeoutMs, wanted: wanted) > 0 else { return nil }
        }
        defer { takenHead += 1 }
        return taken[takenHead]
    }

    /// Wraps a delivery; anything without a `$JS.ACK.` reply is not one of ours and is dropped.
    private func take(_ a: InboxQueue.Arrival) -> JetStreamMessage? {
        guard a.isDelivery else {
            natsMsg_Destroy(a.message)
            return nil
        }
        return JetStreamMessage(a.message, arrivedAt: a.at, owner: self)
    }

    /// Whether a message on the inbox is a stream delivery (it has a `$JS.ACK.` reply) rather than a pull status.
    public static func isDelivery(reply: String?) -> Bool {
        reply?.hasPrefix("$JS.ACK.") ?? false
    }

    /// `isDelivery(reply:)` on the message itself, without copying its reply subject.
    static func isDelivery(_ m: OpaquePointer) -> Bool {
        guard let r = natsMsg_GetReply(m) else { return false }
        return strncmp(r, "$JS.ACK.", 8) == 0
    }

    static func status(of m: OpaquePointer) -> String? {
        var v: UnsafePointer<CChar>?
        guard natsMsgHeader_Get(m, "Status", &v) == NATS_OK, let v else { return nil }
        return String(cString: v)
    }

    /// Acknowledges each message (fire-and-forget acks, in order, on the consumer's thread). The consumers' policy
    /// is AckExplicit: an `AckAll` on a batch's last message would also ack messages this process still holds
    /// (a market window left open across batches) and, with several processes on one durable, another's messages.
    public func ack(_ messages: [JetStreamMessage]) async throws(NATSError) {
        try await reply(messages, "+ACK", "acking")
    }

    /// Asks for redelivery after `delay` (the message stays in JetStream).
    public func nak(_ messages: [JetStreamMessage], delay: Duration) async throws(NATSError) {
        try await reply(messages, "-NAK {\"delay\":\(max(0, delay.totalNanoseconds))}", "nak")
    }

    /// Tells the server to stop redelivering (used after the message is safely in the DLQ).
    public func term(_ messages: [JetStreamMessage]) async throws(NATSError) {
        try await reply(messages, "+TERM", "term")
    }

    /// Resets the redelivery timer of messages still being worked on (e.g. while ClickHouse is down).
    public func inProgress(_ messages: [JetStreamMessage]) async throws(NATSError) {
        try await reply(messages, "+WPI", "in-progress")
    }

    private func reply(_ messages: [JetStreamMessage], _ body: String, _ what: String) async throws(NATSError) {
        guard !messages.isEmpty else { return }
        let conn = context.connection
        try await lane.run { () throws(NATSError) in
            var bytes = Array(body.utf8)
            let n = Int32(bytes.count)
            // The reply subject straight from the libnats message: no Swift string per ack.
            let failed = bytes.withUnsafeMutableBytes { b -> (natsStatus, JetStreamMessage)? in
                for m in messages {
                    let s = natsConnection_Publish(conn.handle, natsMsg_GetReply(m.handle), b.baseAddress, n)
                    if s != NATS_OK { return (s, m) }
                }
                return nil
            }
            if let (s, m) = failed { try NATSError.check(s, "\(what) \(m.subject)") }
        }
    }

    public func state() async throws(NATSError) -> ConsumerState {
        try await context.consumerState(stream: spec.stream, durable: spec.durable)
    }
}

/// One delivered JetStream message; owns the libnats message until it is released.
public final class JetStreamMessage: @unchecked Sendable {
    let handle: OpaquePointer
    /// Read once at fetch time: every stage needs them.
    public let subject: String
    /// `$JS.ACK.…`: where acks go, and where the delivery metadata is encoded (read from the message when asked).
    public var replySubject: String { natsMsg_GetReply(handle).map { String(cString: $0) } ?? "" }
    public let metadata: DeliveryMetadata?
    /// Every header as name/value pairs (first value of each name).
    public let headers: [(name: String, value: String)]
    /// Wall-clock instant the message reached the consumer's inbox: where the end-to-end stage `fetch_wait` ends (the
    /// time it then waits in the inbox for the rest of its batch is `batch_wait`).
    public let fetchedAt: Timestamp
    /// Keeps the inbox subscription (and so the connection's view of it) alive while messages are out.
    private let owner: PullConsumer

    init(_ handle: OpaquePointer, arrivedAt: Timestamp, owner: PullConsumer) {
        self.handle = handle
        self.owner = owner
        subject = String(cString: natsMsg_GetSubject(handle))
        metadata = natsMsg_GetReply(handle).flatMap { DeliveryMetadata(ackSubject: UnsafeRawBufferPointer(start: $0, count: strlen($0))) }
        // Copied once, here on the consumer's lane: libnats parses headers lazily *in place*
        // (natsMsgHeader_Get mutates the message) and a natsMsg has no lock.
        headers = copyHeaders(handle)
        fetchedAt = arrivedAt
    }

    deinit { natsMsg_Destroy(handle) }

    /// The payload bytes, valid only inside `body`.
    public func withPayload<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let n = Int(natsMsg_GetDataLength(handle))
        guard n > 0, let p = natsMsg_GetData(handle) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: p, count: n))
    }

    public var payload: [UInt8] { withPayload { Array($0) } }

    /// Exact-name lookup, like natsMsgHeader_Get (from the copy made at fetch time).
    public func header(_ name: String) -> String? {
        for h in headers where h.name == name { return h.value }
        return nil
    }

}

/// Where a delivered message sits in its stream and how often it was delivered.
public struct DeliveryMetadata: Sendable, Equatable {
    public var streamSequence: UInt64
    public var consumerSequence: UInt64
    public var numDelivered: UInt64
    public var numPending: UInt64
    /// When the server stored the message, ns since the epoch.
    public var timestampNanos: Int64

    public init(streamSequence: UInt64, consumerSequence: UInt64, numDelivered: UInt64, numPending: UInt64, timestampNanos: Int64) {
        self.streamSequence = streamSequence
        self.consumerSequence = consumerSequence
        self.numDelivered = numDelivered
        self.numPending = numPending
        self.timestampNanos = timestampNanos
    }

    /// Parses a JetStream ack subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>`,
    /// or the newer form with domain and account hash before the stream (and a trailing token).
    public init?(ackSubject: String) {
        var s = ackSubject
        guard let m = s.withUTF8({ DeliveryMetadata(ackSubject: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = m
    }

    /// The same parse over the subject's bytes (read in place from a libnats message, once per delivery).
    init?(ackSubject b: UnsafeRawBufferPointer) {
        let dot = UInt8(ascii: ".")
        guard b.count > 8, b.starts(with: "$JS.ACK.".utf8) else { return nil }
        var tokens = 1
        for c in b where c == dot { tokens += 1 }
        guard tokens >= 9 else { return nil }
        // v1: 9 tokens; v2: 12 or more, with <domain>.<account hash> in front of the stream.
        let base = tokens == 9 ? 4 : 6
        guard tokens >= base + 5 else { return nil }
        var i = 0
        var skipped = 0
        while skipped < base {
            if b[i] == dot { skipped += 1 }
            i += 1
        }
        /// The decimal token starting at `i` (digits only, nil past UInt64), moving `i` past its dot.
        func number() -> UInt64? {
            var v: UInt64 = 0
            var digits = 0
            while i < b.count, b[i] != dot {
                let d = b[i] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                let (times10, o1) = v.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(d))
                guard !o1, !o2 else { return nil }
                v = sum
                digits += 1
                i += 1
            }
            i += 1
            return digits > 0 ? v : nil
        }
        guard let delivered = number(), let sseq = number(), let cseq = number(), let ts = number().flatMap(Int64.init(exactly:)),
              let pending = number() else { return nil }
        self.init(streamSequence: sseq, consumerSequence: cseq, numDelivered: delivered, numPending: pending, timestampNanos: ts)
    }
}

/// Every header of a libnats message as name/value pairs (first value of each name); call on the thread that owns it.
func copyHeaders(_ m: OpaquePointer) -> [(name: String, value: String)] {
    var out: [(name: String, value: String)] = []
    var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
    var count: Int32 = 0
    guard natsMsgHeader_Keys(m, &keys, &count) == NATS_OK, let keys else { return out }
    for i in 0..<Int(count) {
        guard let k = keys[i] else { continue }
        var v: UnsafePointer<CChar>?
        if natsMsgHeader_Get(m, k, &v) == NATS_OK, let v { out.append((String(cString: k), String(cString: v))) }
    }
    free(keys)
    return out
}
