import CNATS
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import RiskSignalCore

/// A bound durable pull consumer: fetch batches, then ack, nak or term each message.
public final class PullConsumer: @unchecked Sendable {
    private let subscription: OpaquePointer
    public let spec: ConsumerSpec
    public let context: JetStreamContext
    /// Fetches block until messages arrive or the wait ends; they do so on this consumer's own thread.
    private let lane: BlockingLane

    init(subscription: OpaquePointer, spec: ConsumerSpec, context: JetStreamContext, lane: BlockingLane) {
        self.subscription = subscription
        self.spec = spec
        self.context = context
        self.lane = lane
    }

    deinit {
        // Destroy, not Unsubscribe: unsubscribing would delete the durable and its progress.
        natsSubscription_Destroy(subscription)
    }

    /// Up to `batch` messages; returns early with fewer when `maxWait` passes, and `[]` when none came.
    public func fetch(batch: Int, maxWait: Duration) async throws(NATSError) -> [JetStreamMessage] {
        try await lane.run { () throws(NATSError) -> [JetStreamMessage] in
            var list = natsMsgList()
            var err = jsErrCode(rawValue: 0)
            let s = natsSubscription_Fetch(&list, self.subscription, Int32(batch), max(1, maxWait.totalMilliseconds), &err)
            var out: [JetStreamMessage] = []
            if let msgs = list.Msgs {
                out.reserveCapacity(Int(list.Count))
                for i in 0..<Int(list.Count) {
                    if let m = msgs[i] {
                        out.append(JetStreamMessage(m, owner: self))
                        // The Swift object owns the message now; the list must not free it.
                        msgs[i] = nil
                    }
                }
            }
            natsMsgList_Destroy(&list)
            // A pull that finds nothing ends in a timeout, or in "Not Found" (404 No Messages): both mean empty.
            if s == NATS_OK || s == NATS_TIMEOUT || s == NATS_NOT_FOUND || !out.isEmpty { return out }
            try NATSError.check(s, "fetching from consumer \(self.spec.durable)", jsCode: err)
            return out
        }
    }

    /// Acknowledges each message (fire-and-forget acks, in order, on the consumer's thread).
    public func ack(_ messages: [JetStreamMessage]) async throws(NATSError) {
        guard !messages.isEmpty else { return }
        try await lane.run { () throws(NATSError) in
            for m in messages {
                try NATSError.check(natsMsg_Ack(m.handle, nil), "acking \(m.subject)")
            }
        }
    }

    /// Asks for redelivery after `delay` (the message stays in JetStream).
    public func nak(_ messages: [JetStreamMessage], delay: Duration) async throws(NATSError) {
        guard !messages.isEmpty else { return }
        try await lane.run { () throws(NATSError) in
            for m in messages {
                try NATSError.check(natsMsg_NakWithDelay(m.handle, delay.totalMilliseconds, nil), "nak \(m.subject)")
            }
        }
    }

    /// Tells the server to stop redelivering (used after the message is safely in the DLQ).
    public func term(_ messages: [JetStreamMessage]) async throws(NATSError) {
        guard !messages.isEmpty else { return }
        try await lane.run { () throws(NATSError) in
            for m in messages {
                try NATSError.check(natsMsg_Term(m.handle, nil), "term \(m.subject)")
            }
        }
    }

    /// Resets the redelivery timer of messages still being worked on (e.g. while ClickHouse is down).
    public func inProgress(_ messages: [JetStreamMessage]) async throws(NATSError) {
        guard !messages.isEmpty else { return }
        try await lane.run { () throws(NATSError) in
            for m in messages {
                try NATSError.check(natsMsg_InProgress(m.handle, nil), "in-progress \(m.subject)")
            }
        }
    }

    public func state() async throws(NATSError) -> ConsumerState {
        try await context.consumerState(stream: spec.stream, durable: spec.durable)
    }
}

/// One delivered JetStream message; owns the libnats message until it is released.
public final class JetStreamMessage: @unchecked Sendable {
    let handle: OpaquePointer
    /// Read once at fetch time: every stage needs them, and libnats parses the metadata from the reply subject.
    public let subject: String
    public let metadata: DeliveryMetadata?
    /// Every header as name/value pairs (first value of each name).
    public let headers: [(name: String, value: String)]
    /// libnats acks through the message's subscription, so the subscription must outlive every message.
    private let owner: PullConsumer

    init(_ handle: OpaquePointer, owner: PullConsumer) {
        self.handle = handle
        self.owner = owner
        subject = String(cString: natsMsg_GetSubject(handle))
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        if natsMsg_GetMetaData(&meta, handle) == NATS_OK, let meta {
            let m = meta.pointee
            metadata = DeliveryMetadata(streamSequence: m.Sequence.Stream, consumerSequence: m.Sequence.Consumer,
                                        numDelivered: m.NumDelivered, numPending: m.NumPending, timestampNanos: m.Timestamp)
            jsMsgMetaData_Destroy(meta)
        } else {
            metadata = nil
        }
        // Copied once, here on the consumer's lane: libnats parses headers lazily *in place*
        // (natsMsgHeader_Get mutates the message) and a natsMsg has no lock.
        var out: [(name: String, value: String)] = []
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var count: Int32 = 0
        if natsMsgHeader_Keys(handle, &keys, &count) == NATS_OK, let keys {
            for i in 0..<Int(count) {
                guard let k = keys[i] else { continue }
                var v: UnsafePointer<CChar>?
                if natsMsgHeader_Get(handle, k, &v) == NATS_OK, let v { out.append((String(cString: k), String(cString: v))) }
            }
            free(keys)
        }
        headers = out
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
}
