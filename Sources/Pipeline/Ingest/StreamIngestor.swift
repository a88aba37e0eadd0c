import ClickHouse
import Dispatch
import JetStream
import Logging
import Metrics
import RiskSignalCore
import Synchronization

/// How a consumer batches: up to `batchSize` messages or `maxWait`, whichever comes first.
public struct BatchPolicy: Sendable {
    public var batchSize: Int
    public var maxWait: Duration
    /// When set, no fetch waits longer than this, so the handler's `observe` sees messages within it of their
    /// arrival (alert detection); the batch still closes at `batchSize` or `maxWait`.
    public var observeEvery: Duration?
    /// When set, every fetch that brought messages closes the batch, and a fetch returns at most this long after its
    /// first message (`maxWait` then only bounds an idle fetch): for consumers that act on each message, where a batch
    /// window would be pure delay (alert detection, webhooks).
    public var linger: Duration?

    public init(batchSize: Int = 100, maxWait: Duration = .seconds(1), observeEvery: Duration? = nil, linger: Duration? = nil) {
        self.batchSize = batchSize
        self.maxWait = maxWait
        self.observeEvery = observeEvery
        self.linger = linger
    }
}

/// Moves one durable consumer's messages into ClickHouse, acking only what is stored.
///
/// Delivery rules (DESIGN §3): invalid messages go to `dlq.<name>` and `dead_letters` and are then
/// terminated, never blocking the batch; rows are inserted with a deduplication token derived from
/// the stream sequences they came from, and inputs are acked only after their rows (and derived
/// publications) are stored; while ClickHouse is down the loop stops fetching and retries with
/// capped, jittered backoff, keeping the messages unacked (marked in-progress) in JetStream.
public struct StreamIngestor<Handler: BatchHandler>: Sendable {
    public var name: String
    public var consumer: PullConsumer
    public var clickHouse: ClickHouseClient
    public var handler: Handler
    public var policy: BatchPolicy
    public var stats: IngestStats
    public var logger: Logger
    public var backoff: Backoff
    let metrics: IngestMetrics

    public init(name: String, consumer: PullConsumer, clickHouse: ClickHouseClient, handler: Handler,
                policy: BatchPolicy = .init(), stats: IngestStats = .init(), logger: Logger? = nil,
                backoff: Backoff = Backoff()) {
        self.name = name
        self.consumer = consumer
        self.clickHouse = clickHouse
        self.handler = handler
        self.policy = policy
        self.stats = stats
        self.logger = logger ?? Logger(label: "risksignal.consume.\(name)")
        self.backoff = backoff
        self.metrics = IngestMetrics(consumer: name)
    }

    public var deadLetterSubject: String { "dlq.\(name)" }

    /// Runs until the task is cancelled (finishing the batch in hand), or after `stopWhenIdle` empty fetches in a row.
    ///
    /// A batch closes at `batchSize` messages or `maxWait` after its first message, whichever comes
    /// first; fetches wait at most a second each, so a shutdown is noticed within a second.
    ///
    /// `heartbeat` (for `/readyz`) beats each time round the loop and records how the loop ended.
    public func run(stopWhenIdle: Int? = nil, heartbeat: LoopHeartbeat? = nil) async throws {
        do {
            try await loop(stopWhenIdle: stopWhenIdle, heartbeat: heartbeat)
            heartbeat?.ended(Task.isCancelled ? "stopped (shutting down)" : "stopped (idle)")
        } catch {
            heartbeat?.ended(error is CancellationError ? "stopped (shutting down)" : "failed: \(error)")
            throw error
        }
    }

    func loop(stopWhenIdle: Int?, heartbeat: LoopHeartbeat?) async throws {
        var idle = 0
        var pending: [JetStreamMessage] = []
        var batchStarted = ContinuousClock.now
        var natsBackoff = self.backoff
        // Storing batch k overlaps fetching and handling batch k+1; stores still complete in order. The loop never
        // waits on a store to go on fetching (an alert must not wait for the insert before it); a store that failed
        // is noticed at the loop's next turn.
        var storing: Task<Void, Error>?
        let failures = StoreFailures()
        // What `observe` published for the batch in hand: its store waits for those acks before acking.
        var publishedEarly: [PublishTicket] = []
        var quietSince: ContinuousClock.Instant?
        // Pending counts come from a request to the server, which can take a while under load: sampled beside the
        // fetch loop, never in it.
        let sampler = Task { [consumer, metrics] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if let s = try? await consumer.state() {
                    metrics.pending.record(Int64(s.numPending))
                    metrics.ackPending.record(s.numAckPending)
                }
            }
        }
        defer {
            storing?.cancel()
            sampler.cancel()
        }
        while true {
            heartbeat?.beat()
            if Task.isCancelled {
                if !pending.isEmpty { try await process(pending, after: &storing, publishedEarly: publishedEarly) }
                try await storing?.value
                return
            }
            do {
                if let failure = failures.take() {
                    // Let the chain behind the failed store settle (it fails too: nothing after it is acked), then
                    // start a new one; the unacked inputs come back after their ack wait.
                    if let s = storing { _ = await s.result }
                    storing = nil
                    throw failure
                }
                let now = ContinuousClock.now
                let remaining = pending.isEmpty ? policy.maxWait : policy.maxWait - (now - batchStarted)
                let wait = max(.milliseconds(1), min(remaining, policy.observeEvery ?? .seconds(1), .seconds(1)))
                let got = try await consumer.fetch(batch: policy.batchSize - pending.count, maxWait: wait, linger: policy.linger)
                if !got.isEmpty {
                    let early = await handler.observe(got)
                    if !early.isEmpty { publishedEarly.append(try await consumer.context.publishTracked(early)) }
                }
                if !got.isEmpty {
                    quietSince = nil
                    if pending.isEmpty { batchStarted = now }
                    pending += got
                    idle = 0
                }
                let full = pending.count >= policy.batchSize
                let due = !pending.isEmpty && (policy.linger != nil || ContinuousClock.now - batchStarted >= policy.maxWait)
                // An empty fetch that waited out the batch's time closes it; a shorter `observeEvery` fetch does not.
                if full || due || (got.isEmpty && !pending.isEmpty && remaining <= wait) {
                    let batch = pending
                    pending = []
                    try await process(batch, after: &storing, publishedEarly: publishedEarly, failures: failures)
                    publishedEarly = []
                    natsBackoff.reset()
                    continue
                }
                if got.isEmpty && pending.isEmpty {
                    // Short `observeEvery` fetches add up to one idle period of `maxWait` (at most a second); without
                    // them every empty fetch is one, as it always was.
                    if let slice = policy.observeEvery, slice < min(policy.maxWait, .seconds(1)) {
                        let since = quietSince ?? now
                        guard ContinuousClock.now - since >= min(policy.maxWait, .seconds(1)) else {
                            quietSince = since
                            continue
                        }
                    }
                    quietSince = nil
                    var flushed = try await handler.idle()
                    flushed.publishTickets += publishedEarly
                    publishedEarly = []
                    // Queued behind the store in flight, not waited for: the next fetch starts at once.
                    if !flushed.isEmpty { chain(flushed, after: &storing, failures: failures) }
                    // A bounded run (`stopWhenIdle`: tests, one-shot consumes) counts a quiet turn only once its stores
                    // are done, as before: a store stuck on a NATS or ClickHouse outage must not let it end early.
                    if stopWhenIdle != nil {
                        try await storing?.value
                        storing = nil
                    }
                    idle += 1
                    if let limit = stopWhenIdle, idle >= limit {
                        try await storing?.value
                        return
                    }
                }
                natsBackoff.reset()
            } catch let e as NATSError {
                // The connection is down or the server restarting; libnats reconnects. Unacked
                // messages come back after their ack wait, and idempotent inserts absorb the repeats.
                await handler.dropped(pending)
                pending = []
                // What `observe` published stays owed: the handler has taken those messages in, and whichever batch
                // acks them must wait for these acks first.
                // Let the store in flight finish (or fail) before a new one starts: stores stay in order.
                if let s = storing { _ = await s.result }
                storing = nil
                let delay = natsBackoff.next()
                stats.update { $0.lastError = e.description }
                logger.warning("JetStream call failed, retrying in \(delay)", metadata: ["error": .string(e.description)])
                try await Task.sleep(for: delay)
            }
        }
    }

    /// Handles, dead-letters, inserts, publishes and acks one fetched batch, start to finish.
    public func process(_ messages: [JetStreamMessage]) async throws {
        var none: Task<Void, Error>?
        try await process(messages, after: &none)
        try await none?.value
    }

    /// Handles the batch now and publishes its derived messages at once, then stores it once the previous store
    /// (`storing`) has finished. Publishing before the insert is safe (DESIGN §3): the inputs are acked only after
    /// both the insert and the publications are acked, and a redelivery republishes under the same message ids.
    func process(_ messages: [JetStreamMessage], after storing: inout Task<Void, Error>?, publishedEarly: [PublishTicket] = [],
                 failures: StoreFailures? = nil) async throws {
        stats.update { $0.received += UInt64(messages.count) }
        metrics.received.increment(by: Int64(messages.count))
        metrics.batchSize.record(messages.count)
        var output = try await handleRetrying(messages)
        output.publishTickets = publishedEarly
        if !output.publish.isEmpty {
            output.publishTickets.append(try await consumer.context.publishTracked(output.publish))
            output.published = true
        }
        chain(output, after: &storing, failures: failures)
    }

    /// Stores `output` once the store before it has finished; a store that fails is recorded in `failures` (its
    /// successors fail with it, unrecorded, so nothing after it is acked).
    private func chain(_ output: HandlerOutput, after storing: inout Task<Void, Error>?, failures: StoreFailures?) {
        let previous = storing
        storing = Task {
            try await previous?.value
            do { try await self.store(output) } catch {
                failures?.record(error)
                throw error
            }
        }
    }

    /// Handles a batch, retrying while the handler fails (e.g. a provider is down), at most the inputs' delivery
    /// budget; then each message is handled alone, and one that still fails is dead-lettered with the error.
    private func handleRetrying(_ messages: [JetStreamMessage], budget: Int? = nil, prior: Int = 0) async throws -> HandlerOutput {
        var backoff = self.backoff
        // A batch keeps one attempt of the budget back, for the message at fault to be tried alone.
        let full = budget ?? attemptBudget(for: messages)
        let budget = messages.count > 1 ? max(1, full - 1) : full
        var attempts = 0
        while true {
            do {
                return try await handler.handle(messages)
            } catch let e where !(e is CancellationError) {
                if Task.isCancelled { throw CancellationError() }
                attempts += 1
                stats.update {
                    $0.handlerRetries += 1
                    $0.lastError = "\(e)"
                }
                if attempts >= budget {
                    guard messages.count > 1 else {
                        var out = HandlerOutput()
                        let m = messages[0]
                        out.invalid = [(m, ValidationError(field: "$", message: "could not be handled after \(prior + attempts) attempt(s)\(Self.deliveryNote(m, maxDeliver: maxDeliver)): \(e)"))]
                        return out
                    }
                    logger.error("handling a batch of \(messages.count) failed \(attempts) times; handling its messages one by one", metadata: ["error": "\(e)"])
                    var out = HandlerOutput()
                    for m in messages { out.merge(try await handleRetrying([m], budget: 1, prior: prior + attempts)) }
                    return out
                }
                let delay = backoff.next()
                logger.error("handling a batch of \(messages.count) failed, retrying in \(delay)", metadata: ["error": "\(e)"])
                try? await consumer.inProgress(messages)
                try await Task.sleep(for: delay)
            }
        }
    }

    /// The consumer's bounded delivery count (JetStream's `max_deliver`; the default when the consumer has none).
    var maxDeliver: Int { consumer.spec.maxDeliver > 0 ? consumer.spec.maxDeliver : PipelineEnvironment.defaultMaxDeliver }

    /// Attempts left for these inputs: `max_deliver` less the deliveries before this one (at least one). In-process
    /// retries keep the messages in progress, so JetStream's own count does not move; this budget bounds them, and a
    /// message on its last delivery gets exactly one attempt before it is dead-lettered rather than dropped by the server.
    func attemptBudget(for messages: [JetStreamMessage]) -> Int {
        let delivered = messages.lazy.compactMap { $0.metadata?.numDelivered }.max() ?? 1
        return max(1, maxDeliver - Int(clamping: delivered) + 1)
    }

    static func deliveryNote(_ m: JetStreamMessage, maxDeliver: Int) -> String {
        guard let d = m.metadata?.numDelivered else { return "" }
        return " (delivery \(d) of at most \(maxDeliver))"
    }

    func store(_ output: HandlerOutput) async throws {
        guard !output.isEmpty else { return }
        if !output.invalid.isEmpty { try await deadLetter(output.invalid.map { DeadLetter(message: $0.0, error: $0.1) }) }
        var done = output.done
        for (table, batch) in output.rows.sorted(by: { $0.key < $1.key }) where !batch.isEmpty {
            let refused = try await insert(batch, into: table, sources: output.sources(of: table), for: done,
                                           stamp: StageStamp.of(table, in: output))
            guard !refused.isEmpty else { continue }
            var letters: [DeadLetter] = []
            var gone = Set<ObjectIdentifier>()
            var dropped: UInt64 = 0
            for r in refused {
                guard let g = r.source, Int(g) < output.sources.count else {
                    dropped += 1
                    continue
                }
                for m in output.sources[Int(g)] where gone.insert(ObjectIdentifier(m)).inserted {
                    letters.append(DeadLetter(message: m, error: r.validationError(table: table, note: Self.deliveryNote(m, maxDeliver: maxDeliver)),
                                              attempts: r.attempts, lastError: r.error.description))
                }
            }
            if dropped > 0 {
                // Rows no input owns (alerts built from state): nothing to dead-letter, so they are counted and logged.
                stats.update { $0.rowsDropped += dropped }
                logger.error("ClickHouse refused \(dropped) row(s) of \(table) that no input message owns; dropped", metadata: ["error": .string(refused[0].error.description)])
            }
            if !letters.isEmpty {
                try await deadLetter(letters)
                done.removeAll { gone.contains(ObjectIdentifier($0)) }
            }
        }
        var tickets = output.publishTickets
        if !output.publish.isEmpty && !output.published {
            tickets.append(try await consumer.context.publishTracked(output.publish))
        }
        // Only this batch's own publications: another batch's (or consumer's) publishing never holds up this ack.
        for t in tickets { try await awaitPublished(t) }
        try await consumer.ack(done)
    }

    /// Waits for a ticket's acks; a publication the server refused (or did not answer) is sent again under the same
    /// message ids, which JetStream deduplicates, with backoff, a few times, before the store gives up and the inputs
    /// stay unacked. Retrying here rather than failing at once keeps a brief JetStream hiccup from breaking the chain of
    /// stores behind this one.
    func awaitPublished(_ ticket: PublishTicket) async throws {
        var t = ticket
        var backoff = self.backoff
        var attempt = 1
        while true {
            do {
                try await consumer.context.waitForAcks(of: t, timeout: .seconds(30))
                return
            } catch {
                guard attempt < 5, !Task.isCancelled else { throw error }
                attempt += 1
                let delay = backoff.next()
                logger.warning("a derived publication was not acked; publishing it again in \(delay)", metadata: ["error": .string(error.description)])
                try await Task.sleep(for: delay)
                t = try await consumer.context.publishTracked(t.messages)
            }
        }
    }

    /// Publishes each invalid message to the DLQ (waiting for JetStream's ack), records it in
    /// `dead_letters`, then terminates it.
    func deadLetter(_ items: [(JetStreamMessage, ValidationError)]) async throws {
        try await deadLetter(items.map { DeadLetter(message: $0.0, error: $0.1) })
    }

    func deadLetter(_ items: [DeadLetter]) async throws {
        guard !items.isEmpty else { return }
        var rows = InsertBatch()
        let now = Timestamp.now()
        let maxPayload = consumer.context.connection.maxPayload
        for item in items {
            let m = item.message
            let seq = m.metadata?.streamSequence ?? 0
            let eventID = "\(consumer.spec.stream)-\(seq)"
            let copy = DeadLetterCopy(message: m, error: item.error, attempts: item.attempts, lastError: item.lastError,
                                      eventID: eventID, maxPayload: maxPayload)
            _ = try await consumer.context.publish(OutgoingMessage(subject: deadLetterSubject, payload: copy.payload, headers: copy.headers, messageID: eventID))
            rows.append(row: DeadLetterRow(receivedAt: now, stream: consumer.spec.stream, subject: m.subject, consumer: name,
                                           streamSequence: seq, error: item.error, payload: copy.payload,
                                           headers: m.headers + copy.rowHeaders, eventID: eventID).json)
            logger.warning("dead-lettered message", metadata: ["subject": .string(m.subject), "seq": .stringConvertible(seq), "reason": .string(item.error.description)])
        }
        let messages = items.map(\.message)
        let refused = try await insert(rows, into: "dead_letters", sources: nil, for: messages,
                                       token: "dlq:\(name):\(messages.compactMap { $0.metadata?.streamSequence }.min() ?? 0)")
        if !refused.isEmpty {
            // Each message is already in the DLQ stream with its reason; only the table row is missing.
            stats.update { $0.rowsDropped += UInt64(refused.count) }
            logger.error("dead_letters refused \(refused.count) row(s); the messages are in \(deadLetterSubject)", metadata: ["error": .string(refused[0].error.description)])
        }
        try await consumer.term(messages)
        stats.update { $0.deadLettered += UInt64(items.count) }
        metrics.deadLettered.increment(by: Int64(items.count))
    }

    /// Stores the batch; returns the rows ClickHouse would not take even alone (each with its source group).
    ///
    /// One classification drives it (`ClickHouseError.insertFailure`): while the server is unavailable, wait and
    /// retry without limit (the inputs stay in progress; nothing is wrong with them). Transient errors and refused
    /// requests are retried at most the inputs' delivery budget. Bad rows, a partition limit, or an exhausted
    /// budget split the batch (by partition for 252, else in halves) until the rows at fault stand alone.
    func insert(_ batch: InsertBatch, into table: String, sources: [Int32]?, for messages: [JetStreamMessage],
                token: String? = nil, stamp: StageStamp? = nil) async throws -> [RefusedRow] {
        let seqs = messages.compactMap { $0.metadata?.streamSequence }
        let token = token ?? "\(consumer.spec.durable):\(table):\(seqs.min() ?? 0)-\(seqs.max() ?? 0):\(batch.rowCount)"
        let budget = attemptBudget(for: messages)
        guard case .failed(let error, let attempts) = try await attempt(batch, into: table, token: token, for: messages, budget: budget, stamp: stamp) else { return [] }
        if batch.rowCount == 1 { return [RefusedRow(source: sources?.first, error: error, attempts: attempts)] }
        let ranges = batch.rowRanges
        if error.insertFailure == .rejected || ranges.count != batch.rowCount {
            // The request, not a row, is at fault: every row would fail alike, so none is tried again.
            return (0..<batch.rowCount).map { RefusedRow(source: sources?[$0], error: error, attempts: attempts) }
        }
        logger.warning("ClickHouse refused a batch of \(batch.rowCount) rows for \(table); splitting it", metadata: ["error": .string(error.description)])
        var refused: [RefusedRow] = []
        var work = BatchSplit.pieces(Array(0..<batch.rowCount), label: "", after: error, budget: budget, ranges: ranges, bytes: batch.bytes)
        var steps = 0
        while let piece = work.popLast() {
            steps += 1
            var sub = InsertBatch(reservingBytes: piece.rows.reduce(0) { $0 + ranges[$1].count + 1 })
            for r in piece.rows { sub.append(rowBytes: batch.bytes[ranges[r]]) }
            let result = try await attempt(sub, into: table, token: "\(token):\(piece.label)", for: messages, budget: piece.budget,
                                           stamp: stamp?.subset(piece.rows))
            guard case .failed(let e, let n) = result else { continue }
            if piece.rows.count == 1 || e.insertFailure == .rejected {
                refused += piece.rows.map { RefusedRow(source: sources?[$0], error: e, attempts: n) }
                continue
            }
            work += BatchSplit.pieces(piece.rows, label: piece.label, after: e, budget: piece.budget, ranges: ranges, bytes: batch.bytes)
        }
        logger.warning("split insert into \(table) done in \(steps) inserts: \(refused.count) row(s) refused")
        return refused
    }

    enum Attempt { case stored, failed(ClickHouseError, attempts: Int) }

    /// Inserts one batch, retrying as its failure class allows; returns how it ended.
    private func attempt(_ batch: InsertBatch, into table: String, token: String, for messages: [JetStreamMessage], budget: Int,
                         stamp: StageStamp? = nil) async throws -> Attempt {
        var backoff = self.backoff
        var attempts = 0
        while true {
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                // Stamped per attempt: the row keeps the send that stored it (the token, not the bytes, deduplicates).
                let sent = stamp.map { $0.apply(to: batch, sentAt: .now()) } ?? batch
                try await clickHouse.insert(into: table, batch: sent, deduplicationToken: token)
                metrics.insertLatency.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
                metrics.rowsInserted(table).increment(by: Int64(batch.rowCount))
                // Dead letters are counted as such, not as the consumer's rows.
                if table != "dead_letters" {
                    stats.update {
                        $0.rowsInserted += UInt64(batch.rowCount)
                        $0.batches += 1
                    }
                }
                return .stored
            } catch {
                if Task.isCancelled { throw CancellationError() }
                attempts += 1
                switch error.insertFailure {
                case .badRows, .tooManyPartitions:
                    return .failed(error, attempts: attempts)
                case .transient, .rejected:
                    if attempts >= budget { return .failed(error, attempts: attempts) }
                case .unavailable:
                    break
                }
                let delay = backoff.next()
                stats.update {
                    $0.insertRetries += 1
                    $0.lastError = error.description
                }
                metrics.retries.increment()
                logger.error("insert into \(table) failed, retrying in \(delay)", metadata: ["error": .string(error.description), "attempt": .stringConvertible(attempts)])
                // Keep the messages ours while we wait, so JetStream does not redeliver them.
                try? await consumer.inProgress(messages)
                try await Task.sleep(for: delay)
            }
        }
    }
}

/// The first error of a store the fetch loop did not wait for, handed to the loop at its next turn.
final class StoreFailures: Sendable {
    private let first = Mutex<(any Error)?>(nil)
    func record(_ error: any Error) { first.withLock { if $0 == nil { $0 = error } } }
    func take() -> (any Error)? { first.withLock { e in defer { e = nil }; return e } }
}

/// A message to dead-letter: why, and (when storing it failed) after how many attempts and with what last error.
struct DeadLetter {
    var message: JetStreamMessage
    var error: ValidationError
    var attempts = 0
    var lastError: String?
}

/// A row ClickHouse would not take, alone: its source group (nil when no input owns it), the error and the attempts.
struct RefusedRow {
    var source: Int32?
    var error: ClickHouseError
    var attempts: Int

    /// The dead-letter reason: ClickHouse's message, the column it names, and the attempts when it was retried.
    func validationError(table: String, note: String) -> ValidationError {
        let retried = attempts > 1 ? " after \(attempts) attempts\(note)" : ""
        return ValidationError(field: Self.field(in: error), message: "\(table) refused the row\(retried): \(error)")
    }

    /// The column a ClickHouse parse error names (`… (while reading the value of key event_time)`), else `$`.
    static func field(in error: ClickHouseError) -> String {
        let text = error.description
        for marker in ["value of key ", "column "] {
            guard let r = text.range(of: marker) else { continue }
            let name = text[r.upperBound...].drop { $0 == "`" || $0 == "'" || $0 == "\"" }
                .prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
            if !name.isEmpty { return String(name) }
        }
        return "$"
    }
}

/// One `dead_letters` row: where the message came from and why it was rejected.
struct DeadLetterRow {
    var receivedAt: Timestamp
    var stream: String
    var subject: String
    var consumer: String
    var streamSequence: UInt64
    var error: ValidationError
    var payload: [UInt8]
    var headers: [(name: String, value: String)]
    var eventID: String

    var json: String {
        var out = "{\"event_time\":\"\(receivedAt.clickHouseDateTime64)\",\"stream\":"
        JSONText.appendQuoted(stream, to: &out)
        out += ",\"subject\":"; JSONText.appendQuoted(subject, to: &out)
        out += ",\"consumer\":"; JSONText.appendQuoted(consumer, to: &out)
        out += ",\"stream_sequence\":\(streamSequence),\"field\":"; JSONText.appendQuoted(error.field, to: &out)
        out += ",\"reason\":"; JSONText.appendQuoted(error.message, to: &out)
        out += ",\"payload\":"; JSONText.appendQuoted(String(decoding: payload.prefix(64 * 1024), as: UTF8.self), to: &out)
        let h = JSONValue.object(Dictionary(headers.map { ($0.name, JSONValue.string($0.value)) }, uniquingKeysWith: { a, _ in a }))
        out += ",\"headers\":"; JSONText.appendQuoted(h.jsonText, to: &out)
        out += ",\"event_id\":"; JSONText.appendQuoted(eventID, to: &out)
        out += "}"
        return out
    }
}

/// The per-consumer metrics (swift-metrics; exported by whichever backend the process bootstraps).
struct IngestMetrics: Sendable {
    let consumer: String
    let received: Counter
    let deadLettered: Counter
    let retries: Counter
    let insertLatency: Metrics.Timer
    let batchSize: Recorder
    let pending: Gauge
    let ackPending: Gauge

    init(consumer: String) {
        self.consumer = consumer
        let dims = [("consumer", consumer)]
        received = Counter(label: "risksignal_messages_received_total", dimensions: dims)
        deadLettered = Counter(label: "risksignal_dlq_total", dimensions: dims)
        retries = Counter(label: "risksignal_insert_retries_total", dimensions: dims)
        insertLatency = Metrics.Timer(label: "risksignal_insert_latency_seconds", dimensions: dims, preferredDisplayUnit: .seconds)
        batchSize = Recorder(label: "risksignal_batch_size", dimensions: dims, aggregate: true)
        pending = Gauge(label: "risksignal_consumer_pending", dimensions: dims)
        ackPending = Gauge(label: "risksignal_consumer_ack_pending", dimensions: dims)
    }

    func rowsInserted(_ table: String) -> Counter {
        Counter(label: "risksignal_rows_inserted_total", dimensions: [("consumer", consumer), ("table", table)])
    }
}
