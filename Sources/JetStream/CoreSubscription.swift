import CNATS
import RiskSignalCore

/// A plain NATS subscription read message by message (what `rsbench record` captures).
public final class CoreSubscription: @unchecked Sendable {
    private let handle: OpaquePointer
    private let lane: BlockingLane
    public let subject: String

    init(handle: OpaquePointer, subject: String, lane: BlockingLane) {
        self.handle = handle
        self.subject = subject
        self.lane = lane
    }

    deinit { natsSubscription_Destroy(handle) }

    /// One received message: its subject, headers, payload, and when it arrived here (ns since the epoch).
    public struct Received: Sendable {
        public var subject: String
        public var headers: [(name: String, value: String)]
        public var payload: [UInt8]
        public var receivedNanos: Int64
    }

    /// Up to `max` messages that arrive within `wait` (fewer, or none, when the wait ends first).
    public func next(max: Int, wait: Duration) async throws(NATSError) -> [Received] {
        let h = UnsafeSendable(handle)
        return try await lane.run { () throws(NATSError) -> [Received] in
            var out: [Received] = []
            var timeout = Swift.max(1, wait.totalMilliseconds)
            while out.count < max {
                var m: OpaquePointer?
                let s = natsSubscription_NextMsg(&m, h.value, timeout)
                if s == NATS_TIMEOUT { break }
                try NATSError.check(s, "reading subscription")
                guard let m else { break }
                defer { natsMsg_Destroy(m) }
                let now = Timestamp.now().nanosSinceEpoch
                let headers = copyHeaders(m)
                let n = Int(natsMsg_GetDataLength(m))
                let payload = n > 0 ? Array(UnsafeRawBufferPointer(start: natsMsg_GetData(m), count: n)) : []
                out.append(Received(subject: String(cString: natsMsg_GetSubject(m)), headers: headers, payload: payload, receivedNanos: now))
                timeout = 1
            }
            return out
        }
    }
}

extension NATSConnection {
    /// Subscribes to `subject` (wildcards allowed); messages queue until read with `next`.
    public func subscribe(_ subject: String) async throws(NATSError) -> CoreSubscription {
        let lane = BlockingLane(label: "nats.sub.\(subject)")
        let conn = UnsafeSendable(handle)
        let sub = try await lane.run { () throws(NATSError) -> UnsafeSendable<OpaquePointer> in
            var s: OpaquePointer?
            try NATSError.check(natsConnection_SubscribeSync(&s, conn.value, subject), "subscribing to \(subject)")
            natsSubscription_SetPendingLimits(s, 1 << 20, 1 << 30)
            return UnsafeSendable(s!)
        }
        return CoreSubscription(handle: sub.value, subject: subject, lane: lane)
    }
}
