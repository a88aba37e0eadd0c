import CNATS
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Dispatch
import RiskSignalCore
import Synchronization

/// Settings of a JetStream context.
public struct JetStreamOptions: Sendable {
    /// Async publishes that may await their ack at once; publishing waits when it is full.
    public var publishWindow: Int = 8192
    /// Deadline for request/reply calls (stream admin, sync publish, info).
    public var requestTimeout: Duration = .seconds(5)
    /// How long an async publish waits for room in a full window before giving up.
    public var publishStallLimit: Duration = .seconds(30)
    /// Headers whose integer values are handed to `onAck` (e.g. intended and actual send instants), read as the ack arrives.
    public var ackTimingHeader: String?
    public var ackSecondaryTimingHeader: String?
    /// Called on libnats' thread for every ack or failure; keep it cheap.
    public var onAck: (@Sendable (_ result: Result<PublishAck, NATSError>, _ timing: Int64?, _ secondaryTiming: Int64?) -> Void)?
    /// How an async publish that got no ack is sent again; see `PublishRetryPolicy`.
    public var publishRetry = PublishRetryPolicy()

    public init() {}
}

/// JetStream on one connection: stream admin, async publish with ack accounting, pull consumers.
public final class JetStreamContext: @unchecked Sendable {
    let handle: OpaquePointer
    public let connection: NATSConnection
    public let options: JetStreamOptions
    private let tracker: PublishAckTracker
    /// Async publishes run here: a full window blocks this thread, not the cooperative pool.
    private let publishLane: BlockingLane
    /// The per-message ack timeout (ms; 0 for none). Only where a lost ack can mean a failover: with a single server
    /// known, no other node can take over, and a timer per publish cost rsbench ≈ 40 % more CPU per event at peak
    /// (41 → 59–65 µs, side by side); errors the server does return (no responders, no leader) are retried either way.
    private let ackTimeoutMs: Int64

    init(connection: NATSConnection, options: JetStreamOptions) throws(NATSError) {
        self.connection = connection
        self.options = options
        self.tracker = PublishAckTracker(timingHeaders: (options.ackTimingHeader, options.ackSecondaryTimingHeader), onAck: options.onAck,
                                         retry: options.publishRetry, label: connection.options.name)
        self.publishLane = BlockingLane(label: "nats.publish.\(connection.options.name)")
        self.ackTimeoutMs = connection.knownServerCount > 1 ? options.publishRetry.ackTimeout.totalMilliseconds : 0
        var jo = jsOptions()
        jsOptions_Init(&jo)
        jo.Wait = options.requestTimeout.totalMilliseconds
        jo.PublishAsync.MaxPending = Int64(options.publishWindow)
        jo.PublishAsync.StallWait = 200
        jo.PublishAsync.AckHandler = publishAckHandler
        // libnats may call the ack handler after this context is gone (late acks on its own thread),
        // so the tracker is retained for the life of the process: one small object per context.
        jo.PublishAsync.AckHandlerClosure = Unmanaged.passRetained(tracker).toOpaque()
        var js: OpaquePointer?
        try NATSError.check(natsConnection_JetStream(&js, connection.handle, &jo), "creating JetStream context")
        handle = js!
        tracker.attach(self)
    }

    deinit {
        jsCtx_Destroy(handle)
    }

    // MARK: Streams

    /// Creates the stream, or updates it to match `spec` when it exists.
    @discardableResult
    public func ensureStream(_ spec: StreamSpec) async throws(NATSError) -> StreamState {
        try await connection.lane.run { () throws(NATSError) -> StreamState in
            try withCStrings([spec.name] + spec.subjects) { strings throws(NATSError) -> StreamState in
                var subjects = Array(strings.dropFirst())
                var cfg = jsStreamConfig()
                jsStreamConfig_Init(&cfg)
                cfg.Name = strings[0]
                cfg.SubjectsLen = Int32(subjects.count)
                cfg.MaxAge = spec.maxAge.totalNanoseconds
                cfg.Storage = spec.storage == .file ? js_FileStorage : js_MemoryStorage
                cfg.Duplicates = spec.duplicateWindow.totalNanoseconds
                cfg.MaxMsgsPerSubject = Int64(spec.maxMessagesPerSubject)
                cfg.MaxBytes = spec.maxBytes
                cfg.Replicas = Int64(spec.replicas)
                var si: UnsafeMutablePointer<jsStreamInfo>?
                var err = jsErrCode(rawValue: 0)
                let s = subjects.withUnsafeMutableBufferPointer { buf -> natsStatus in
                    cfg.Subjects = buf.baseAddress
                    var s = js_AddStream(&si, self.handle, &cfg, nil, &err)
                    if s != NATS_OK, Int(err.rawValue) == NATSError.streamNameExists {
                        err = jsErrCode(rawValue: 0)
                        s = js_UpdateStream(&si, self.handle, &cfg, nil, &err)
                    }
                    return s
                }
                defer { jsStreamInfo_Destroy(si) }
                try NATSError.check(s, "creating stream \(spec.name) on \(spec.subjects.joined(separator: ","))", jsCode: err)
                return StreamState(si!.pointee.State)
            }
        }
    }

    public func streamState(_ name: String) async throws(NATSError) -> StreamState {
        try await streamInfo(name) { StreamState($0.State) }
    }

    /// The stream's leader and replicas, from `$JS.API.STREAM.INFO` (`cluster` block).
    public func streamPlacement(_ name: String) async throws(NATSError) -> StreamPlacement {
        try await streamInfo(name) { info in
            let replicas = Int(info.Config?.pointee.Replicas ?? 1)
            guard let c = info.Cluster?.pointee else { return StreamPlacement(leader: "", peers: [], configuredReplicas: replicas) }
            let peers = (0..<Int(c.ReplicasLen)).compactMap { i -> StreamPlacement.Peer? in
                guard let p = c.Replicas?[i]?.pointee else { return nil }
                return StreamPlacement.Peer(name: p.Name.map { String(cString: $0) } ?? "", current: p.Current)
            }
            return StreamPlacement(leader: c.Leader.map { String(cString: $0) } ?? "", peers: peers, configuredReplicas: replicas)
        }
    }

    /// Reads `$JS.API.STREAM.INFO` for `name` on the control lane and hands the answer to `read` before it is freed.
    private func streamInfo<T: Sendable>(_ name: String, _ read: @escaping @Sendable (jsStreamInfo) -> T) async throws(NATSError) -> T {
        try await connection.lane.run { () throws(NATSError) -> T in
            var si: UnsafeMutablePointer<jsStreamInfo>?
            var err = jsErrCode(rawValue: 0)
            let s = js_GetStreamInfo(&si, self.handle, name, nil, &err)
            defer { jsStreamInfo_Destroy(si) }
            try NATSError.check(s, "reading stream \(name)", jsCode: err)
            return read(si!.pointee)
        }
    }

    public func deleteStream(_ name: String) async throws(NATSError) {
        try await connection.lane.run { () throws(NATSError) in
            var err = jsErrCode(rawValue: 0)
            try NATSError.check(js_DeleteStream(self.handle, name, nil, &err), "deleting stream \(name)", jsCode: err)
        }
    }

    // MARK: Consumers

    /// Creates the durable consumer, or updates it to match `spec`, then binds a pull subscription to it.
    public func pullConsumer(_ spec: ConsumerSpec) async throws(NATSError) -> PullConsumer {
        try await ensureConsumer(spec)
        let lane = BlockingLane(label: "nats.consumer.\(spec.durable)")
        let conn = connection
        let queue = InboxQueue()
        let (sub, inbox) = try await lane.run { () throws(NATSError) -> (UnsafeSendable<OpaquePointer>, String) in
            var box: UnsafeMutablePointer<CChar>?
            try NATSError.check(natsInbox_Create(&box), "creating an inbox for consumer \(spec.durable)")
            defer { natsInbox_Destroy(box) }
            let inbox = String(cString: box!)
            var sub: OpaquePointer?
            // Asynchronous, into our queue: see `InboxQueue` for why not `NextMsg`. libnats may deliver a late reply
            // after the consumer is gone, so the queue is retained for the life of the process (one small object each).
            let closure = Unmanaged.passRetained(queue).toOpaque()
            try NATSError.check(natsConnection_Subscribe(&sub, conn.handle, inbox + ".*", inboxMessageHandler, closure),
                                "subscribing the inbox of consumer \(spec.durable)")
            // Deliveries wait here between fetches; the default limits (65,536 messages) could drop a burst.
            natsSubscription_SetPendingLimits(sub, 1 << 20, 1 << 30)
            return (UnsafeSendable(sub!), inbox)
        }
        return PullConsumer(subscription: sub.value, queue: queue, inbox: inbox, spec: spec, context: self, lane: lane)
    }

    /// Creates the durable pull consumer, or updates the settings that may change (ack wait, max ack pending, …).
    public func ensureConsumer(_ spec: ConsumerSpec) async throws(NATSError) {
        try await connection.lane.run { () throws(NATSError) in
            try withCStrings([spec.stream, spec.durable, spec.filterSubject]) { names throws(NATSError) in
                var cfg = jsConsumerConfig()
                jsConsumerConfig_Init(&cfg)
                cfg.Durable = names[1]
                cfg.Name = names[1]
                cfg.FilterSubject = names[2]
                cfg.AckPolicy = switch spec.ackPolicy {
                case .explicit: js_AckExplicit
                case .all: js_AckAll
                case .none: js_AckNone
                }
                cfg.AckWait = spec.ackWait.totalNanoseconds
                cfg.MaxAckPending = Int64(spec.maxAckPending)
                cfg.MaxDeliver = Int64(spec.maxDeliver)
                cfg.MaxWaiting = 512
                var ci: UnsafeMutablePointer<jsConsumerInfo>?
                var err = jsErrCode(rawValue: 0)
                var s = js_GetConsumerInfo(&ci, self.handle, spec.stream, spec.durable, nil, &err)
                let exists = s == NATS_OK
                jsConsumerInfo_Destroy(ci)
                ci = nil
                err = jsErrCode(rawValue: 0)
                s = exists ? js_UpdateConsumer(&ci, self.handle, names[0], &cfg, nil, &err)
                           : js_AddConsumer(&ci, self.handle, names[0], &cfg, nil, &err)
                jsConsumerInfo_Destroy(ci)
                try NATSError.check(s, "\(exists ? "updating" : "creating") consumer \(spec.durable) on stream \(spec.stream) (\(spec.filterSubject))", jsCode: err)
            }
        }
    }

    public func consumerState(stream: String, durable: String) async throws(NATSError) -> ConsumerState {
        try await connection.lane.run { () throws(NATSError) -> ConsumerState in
            var ci: UnsafeMutablePointer<jsConsumerInfo>?
            var err = jsErrCode(rawValue: 0)
            let s = js_GetConsumerInfo(&ci, self.handle, stream, durable, nil, &err)
            defer { jsConsumerInfo_Destroy(ci) }
            try NATSError.check(s, "reading consumer \(durable) of stream \(stream)", jsCode: err)
            return ConsumerState(ci!.pointee)
        }
    }

    public func deleteConsumer(stream: String, durable: String) async throws(NATSError) {
        try await connection.lane.run { () throws(NATSError) in
            var err = jsErrCode(rawValue: 0)
            try NATSError.check(js_DeleteConsumer(self.handle, stream, durable, nil, &err), "deleting consumer \(durable)", jsCode: err)
        }
    }

    // MARK: Publishing

    /// Enqueues messages as async publishes; returns once all are in flight (waiting while the window is full).
    public func publishAsync(_ messages: [OutgoingMessage]) async throws(NATSError) {
        let stallLimit = options.publishStallLimit
        try await publishLane.run { () throws(NATSError) in
            for m in messages {
                try self.enqueueBlocking(m, stallLimit: stallLimit)
            }
        }
    }

    /// The same enqueueing for a caller already on a thread that may block (the load pacer's own thread), never the
    /// cooperative pool: it saves the hop to the publish lane per batch. A full window blocks the caller.
    public func publishAsyncBlocking(_ messages: [OutgoingMessage]) throws(NATSError) {
        let stallLimit = options.publishStallLimit
        for m in messages {
            try enqueueBlocking(m, stallLimit: stallLimit)
        }
    }

    /// Publishes one message and waits for the server's ack (for rare, must-not-lose sends like the DLQ).
    public func publish(_ message: OutgoingMessage) async throws(NATSError) -> PublishAck {
        try await publishLane.run { () throws(NATSError) -> PublishAck in
            let msg = try self.makeMessage(message)
            defer { natsMsg_Destroy(msg) }
            var pa: UnsafeMutablePointer<jsPubAck>?
            var err = jsErrCode(rawValue: 0)
            let s = js_PublishMsg(&pa, self.handle, msg, nil, &err)
            defer { jsPubAck_Destroy(pa) }
            try NATSError.check(s, "publishing to \(message.subject)", jsCode: err)
            return PublishAck(stream: String(cString: pa!.pointee.Stream), sequence: pa!.pointee.Sequence, duplicate: pa!.pointee.Duplicate)
        }
    }

    /// Publishes asynchronously and returns a ticket to wait for exactly these messages' acks (`waitForAcks(of:)`),
    /// unlike `waitForAcks(timeout:)`, which waits for everything the context has out. Each message carries its
    /// group in a header (`Rs-Ack-Group`), so the ack is matched to this publication and no other, even when the
    /// same message id is published again (a redelivered input's derived message).
    public func publishTracked(_ messages: [OutgoingMessage]) async throws(NATSError) -> PublishTicket {
        // Registered before the first enqueue: an ack can arrive before `publishAsync` returns.
        let group = tracker.register(count: messages.count)
        var stamped = messages
        for i in stamped.indices { stamped[i].headers.append((PublishTicket.groupHeader, String(group))) }
        do { try await publishAsync(stamped) } catch {
            tracker.forget(group)
            throw error
        }
        return PublishTicket(group: group, messages: messages)
    }

    /// Waits until every message of `ticket` is acked; a failed one (or none within `timeout`) is an error, so the
    /// caller keeps the inputs it derived them from unacked.
    public func waitForAcks(of ticket: PublishTicket, timeout: Duration) async throws(NATSError) {
        let deadline = ContinuousClock.now + timeout
        while true {
            switch tracker.outcome(ticket.group) {
            case .success?: return
            case .failure(let f)?: throw NATSError.operation("async publish", status: "failed", detail: f.text, jsCode: 0)
            case nil:
                guard ContinuousClock.now < deadline else {
                    tracker.forget(ticket.group)
                    throw NATSError.publishStalled(pending: ticket.count, waited: timeout)
                }
                guard !Task.isCancelled else {
                    tracker.forget(ticket.group)
                    throw NATSError.operation("waiting for publish acks", status: "cancelled", detail: "the waiting task was cancelled", jsCode: 0)
                }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
    }

    /// Waits until every async publish so far is acked or failed, or `timeout` passes. A message waiting out its
    /// retry backoff is outside libnats' pending list, so this also waits until none is.
    public func waitForAcks(timeout: Duration) async throws(NATSError) {
        try await publishLane.run { () throws(NATSError) in
            let clock = ContinuousClock()
            let deadline = clock.now + timeout
            while true {
                var po = jsPubOptions()
                jsPubOptions_Init(&po)
                po.MaxWait = max(1, (deadline - clock.now).totalMilliseconds)
                let s = js_PublishAsyncComplete(self.handle, &po)
                if s == NATS_TIMEOUT {
                    throw NATSError.publishStalled(pending: Int(self.tracker.counts.outstanding), waited: timeout)
                }
                try NATSError.check(s, "waiting for publish acks")
                guard self.tracker.retrying > 0 else { return }
                guard clock.now < deadline else { throw NATSError.publishStalled(pending: Int(self.tracker.counts.outstanding), waited: timeout) }
                usleep(10_000)
            }
        }
    }

    /// Published, acked, duplicate and failed counts since this context was made.
    public var ackCounts: PublishAckCounts { tracker.counts }

    private func enqueueBlocking(_ m: OutgoingMessage, stallLimit: Duration) throws(NATSError) {
        var msg: OpaquePointer? = try makeMessage(m)
        let s = enqueue(&msg, stallLimit: stallLimit)
        if s == NATS_OK {
            tracker.didPublish()
            return
        }
        natsMsg_Destroy(msg)
        if s == NATS_TIMEOUT {
            throw .publishStalled(pending: Int(tracker.counts.outstanding), waited: stallLimit)
        }
        try NATSError.check(s, "publishing to \(m.subject)")
    }

    /// Hands `msg` to libnats (which then owns it and clears `msg`), with the ack timeout that makes a lost ack
    /// come back as a retryable failure. A full window reports a timeout after StallWait: it keeps trying up to
    /// `stallLimit`.
    func enqueue(_ msg: inout OpaquePointer?, stallLimit: Duration) -> natsStatus {
        var po = jsPubOptions()
        jsPubOptions_Init(&po)
        po.MaxWait = ackTimeoutMs
        let start = DispatchTime.now().uptimeNanoseconds
        while true {
            let s = js_PublishMsgAsync(handle, &msg, &po)
            if s == NATS_TIMEOUT, Int64(DispatchTime.now().uptimeNanoseconds - start) < stallLimit.totalNanoseconds { continue }
            return s
        }
    }

    private func makeMessage(_ m: OutgoingMessage) throws(NATSError) -> OpaquePointer {
        var msg: OpaquePointer?
        let s = m.payload.withUnsafeBufferPointer { buf in
            natsMsg_Create(&msg, m.subject, nil, buf.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(buf.count))
        }
        try NATSError.check(s, "creating message for \(m.subject)")
        for h in m.headers {
            let hs = natsMsgHeader_Set(msg, h.name, h.value)
            if hs != NATS_OK {
                natsMsg_Destroy(msg)
                try NATSError.check(hs, "setting header \(h.name)")
            }
        }
        if let id = m.messageID {
            let hs = natsMsgHeader_Set(msg, "Nats-Msg-Id", id)
            if hs != NATS_OK {
                natsMsg_Destroy(msg)
                try NATSError.check(hs, "setting Nats-Msg-Id")
            }
        }
        return msg!
    }
}

/// Counts every async publish's outcome, and settles tracked groups (`publishTracked`) message by message; called
/// from libnats' callback thread.
final class PublishAckTracker: Sendable {
    private let state = Mutex(PublishAckCounts())
    /// Tracked groups: outstanding message ids → their groups, and each group's outstanding count and first failure.
    private let groups = Mutex(TrackedGroups())
    /// Groups not yet finished, read without the lock on every ack: the load driver's acks (no groups) stay lock-free here.
    private let openGroups = Atomic<Int>(0)
    let timingHeaders: (String?, String?)
    let onAck: (@Sendable (Result<PublishAck, NATSError>, Int64?, Int64?) -> Void)?
    let retryPolicy: PublishRetryPolicy
    /// Re-sends wait out their backoff here, off libnats' ack thread (which must keep delivering acks).
    private let retryQueue: DispatchQueue
    /// The context that re-sends; weak, since the tracker outlives it (see `JetStreamContext.init`).
    private let owner = Mutex(WeakContext())
    /// Messages between a lost ack and their re-send (not in libnats' pending list meanwhile).
    private let inRetry = Atomic<Int>(0)

    init(timingHeaders: (String?, String?), onAck: (@Sendable (Result<PublishAck, NATSError>, Int64?, Int64?) -> Void)?,
         retry: PublishRetryPolicy = .init(), label: String = "") {
        self.timingHeaders = timingHeaders
        self.onAck = onAck
        retryPolicy = retry
        retryQueue = DispatchQueue(label: "nats.publish-retry.\(label)")
    }

    func attach(_ context: JetStreamContext) { owner.withLock { $0.context = context } }

    var retrying: Int { inRetry.load(ordering: .relaxed) }

    /// Takes `msg` for a re-send when its failure is transient, it has an id and sends are left; false leaves the
    /// failure to be counted. On true the tracker owns the message.
    func retryIfTransient(_ msg: OpaquePointer, status: natsStatus, jsCode: Int) -> Bool {
        guard PublishRetryPolicy.isTransient(status: status, jsCode: jsCode) else { return false }
        var id: UnsafePointer<CChar>?
        guard natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK, id != nil else { return false }
        var value: UnsafePointer<CChar>?
        let sent = natsMsgHeader_Get(msg, PublishRetryPolicy.attemptHeader, &value) == NATS_OK ? value.map { Int(atoll($0)) } ?? 1 : 1
        guard sent < retryPolicy.attempts, natsMsgHeader_Set(msg, PublishRetryPolicy.attemptHeader, String(sent + 1)) == NATS_OK else { return false }
        inRetry.add(1, ordering: .relaxed)
        state.withLock { $0.retries += 1 }
        let boxed = UnsafeSendable(msg)
        let delay = retryPolicy.backoff(retry: sent)
        retryQueue.asyncAfter(deadline: .now() + .nanoseconds(Int(delay.totalNanoseconds))) { [self] in
            var m: OpaquePointer? = boxed.value
            let context = owner.withLock { $0.context }
            // The stall limit bounds the wait for room in a full window; a context already gone cannot send.
            let s = context?.enqueue(&m, stallLimit: context?.options.publishStallLimit ?? .zero) ?? NATS_CONNECTION_CLOSED
            inRetry.subtract(1, ordering: .relaxed)
            guard s != NATS_OK, let m else { return }
            // Not re-sent after all: the final outcome, as the ack handler would have reported it.
            self.finish(m, ack: nil, status: s, jsCode: 0, text: "re-send failed: \(NATSError.statusText(s))")
            natsMsg_Destroy(m)
        }
        return true
    }

    var counts: PublishAckCounts { state.withLock { $0 } }

    func didPublish() { state.withLock { $0.published += 1 } }

    /// Reports a message's final outcome: settles its tracked group, counts it, and calls `onAck`.
    func finish(_ msg: OpaquePointer?, ack pa: UnsafeMutablePointer<jsPubAck>?, status: natsStatus, jsCode: Int, text: String) {
        func headerValue(_ name: String?) -> Int64? {
            guard let name, let msg else { return nil }
            var value: UnsafePointer<CChar>?
            guard natsMsgHeader_Get(msg, name, &value) == NATS_OK, let value else { return nil }
            return Int64(atoll(value))
        }
        let timing = headerValue(timingHeaders.0)
        let secondary = headerValue(timingHeaders.1)
        if tracking, let msg {
            var value: UnsafePointer<CChar>?
            if natsMsgHeader_Get(msg, PublishTicket.groupHeader, &value) == NATS_OK, let value, let group = UInt64(String(cString: value)) {
                settle(group: group, failure: pa != nil ? nil : text)
            }
        }
        if let pa {
            didAck(duplicate: pa.pointee.Duplicate)
            if let onAck {
                let stream = pa.pointee.Stream.map { String(cString: $0) } ?? ""
                onAck(.success(PublishAck(stream: stream, sequence: pa.pointee.Sequence, duplicate: pa.pointee.Duplicate)), timing, secondary)
            }
        } else {
            didFail(text)
            onAck?(.failure(.operation("async publish", status: NATSError.statusText(status), detail: text, jsCode: jsCode)), timing, secondary)
        }
    }

    func didAck(duplicate: Bool) {
        state.withLock {
            $0.acked += 1
            if duplicate { $0.duplicates += 1 }
        }
    }

    func didFail(_ text: String) {
        state.withLock {
            $0.failed += 1
            $0.lastError = text
        }
    }

    /// Whether any tracked group is waiting: only then does an ack need its group header read.
    var tracking: Bool { openGroups.load(ordering: .relaxed) > 0 }

    func register(count: Int) -> UInt64 {
        openGroups.add(1, ordering: .relaxed)
        return groups.withLock { $0.register(count: count) }
    }

    func settle(group: UInt64, failure: String?) { groups.withLock { $0.settle(group, failure: failure) } }

    /// nil while messages of the group are outstanding; then `.success` or the first failure. A finished group is forgotten.
    func outcome(_ group: UInt64) -> Result<Void, TrackedFailure>? {
        let (result, finished) = groups.withLock { g -> (Result<Void, TrackedFailure>?, Bool) in
            let known = g.remaining[group] != nil
            let r = g.outcome(group)
            return (r, known && r != nil)
        }
        if finished { openGroups.subtract(1, ordering: .relaxed) }
        return result
    }

    func forget(_ group: UInt64) {
        if groups.withLock({ g -> Bool in defer { g.forget(group) }; return g.remaining[group] != nil }) { openGroups.subtract(1, ordering: .relaxed) }
    }
}

/// Why a tracked publish failed: the server's error for one of its messages.
struct TrackedFailure: Error { var text: String }

/// The tracked groups' bookkeeping (under the tracker's lock): outstanding count and first failure per group.
struct TrackedGroups {
    var remaining: [UInt64: Int] = [:]
    var failures: [UInt64: String] = [:]
    var next: UInt64 = 1

    mutating func register(count: Int) -> UInt64 {
        let g = next
        next += 1
        remaining[g] = count
        return g
    }

    /// An ack for a group already given up on (timed out, failed) is ignored.
    mutating func settle(_ g: UInt64, failure: String?) {
        guard let r = remaining[g] else { return }
        remaining[g] = r - 1
        if let failure, failures[g] == nil { failures[g] = failure }
    }

    /// nil while messages are outstanding; a group never registered, or already finished and forgotten, is a failure.
    mutating func outcome(_ g: UInt64) -> Result<Void, TrackedFailure>? {
        guard let r = remaining[g] else { return .failure(TrackedFailure(text: "no such publish group (already waited for?)")) }
        if let f = failures[g] {
            forget(g)
            return .failure(TrackedFailure(text: f))
        }
        guard r <= 0 else { return nil }
        forget(g)
        return .success(())
    }

    mutating func forget(_ g: UInt64) {
        remaining[g] = nil
        failures[g] = nil
    }
}

private let publishAckHandler: jsPubAckHandler = { _, msg, pa, pae, closure in
    guard let closure else { natsMsg_Destroy(msg); return }
    let tracker = Unmanaged<PublishAckTracker>.fromOpaque(closure).takeUnretainedValue()
    if pa == nil, let pae {
        let code = Int(pae.pointee.ErrCode.rawValue)
        // A lost ack is not a lost message: the tracker re-sends it (same id) and owns it from here.
        if let msg, tracker.retryIfTransient(msg, status: pae.pointee.Err, jsCode: code) { return }
        let text = pae.pointee.ErrText.map { String(cString: $0) } ?? NATSError.statusText(pae.pointee.Err)
        tracker.finish(msg, ack: nil, status: pae.pointee.Err, jsCode: code, text: text)
    } else if pa != nil {
        tracker.finish(msg, ack: pa, status: NATS_OK, jsCode: 0, text: "")
    }
    natsMsg_Destroy(msg)
}

/// The tracker's weak hold on its context.
struct WeakContext { weak var context: JetStreamContext? }

extension StreamState {
    init(_ s: jsStreamState) {
        self.init(messages: s.Msgs, bytes: s.Bytes, firstSequence: s.FirstSeq, lastSequence: s.LastSeq, consumers: Int(s.Consumers))
    }
}

extension ConsumerState {
    init(_ ci: jsConsumerInfo) {
        self.init(numPending: ci.NumPending, numAckPending: ci.NumAckPending, numRedelivered: ci.NumRedelivered,
                  numWaiting: ci.NumWaiting, deliveredStreamSequence: ci.Delivered.Stream,
                  ackFloorStreamSequence: ci.AckFloor.Stream, ackFloorConsumerSequence: ci.AckFloor.Consumer)
    }
}
