import ClickHouse
import Dispatch
import JetStream
import Logging
import Metrics
import RiskSignalCore

/// How a consumer batches: up to `batchSize` messages or `maxWait`, whichever comes first.
public struct BatchPolicy: Sendable {
    public var batchSize: Int
    public var maxWait: Duration

    public init(batchSize: Int = 100, maxWait: Duration = .seconds(1)) {
        self.batchSize = batchSize
        self.maxWait = maxWait
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
    public func run(stopWhenIdle: Int? = nil) async throws {
        var idle = 0
        var pending: [JetStreamMessage] = []
        var batchStarted = ContinuousClock.now
        var lastPendingSample = ContinuousClock.now - .seconds(10)
        var natsBackoff = self.backoff
        // Storing batch k overlaps fetching and handling batch k+1; stores still complete in order.
        var storing: Task<Void, Error>?
        defer { storing?.cancel() }
        while true {
            if Task.isCancelled {
                if !pending.isEmpty { try await process(pending, after: &storing) }
                try await storing?.value
                return
            }
            do {
                let now = ContinuousClock.now
                let remaining = pending.isEmpty ? policy.maxWait : policy.maxWait - (now - batchStarted)
                let wait = max(.milliseconds(1), min(remaining, .seconds(1)))
                let got = try await consumer.fetch(batch: policy.batchSize - pending.count, maxWait: wait)
                if ContinuousClock.now - lastPendingSample >= .seconds(1) {
                    lastPendingSample = ContinuousClock.now
                    if let s = try? await consumer.state() {
                        metrics.pending.record(Int64(s.numPending))
                        metrics.ackPending.record(s.numAckPending)
                    }
                }
                if !got.isEmpty {
                    if pending.isEmpty { batchStarted = now }
                    pending += got
                    idle = 0
                }
                let full = pending.count >= policy.batchSize
                let due = !pending.isEmpty && ContinuousClock.now - batchStarted >= policy.maxWait
                if full || due || (got.isEmpty && !pending.isEmpty && remaining <= .seconds(1)) {
                    let batch = pending
                    pending = []
                    try await process(batch, after: &storing)
                    natsBackoff.reset()
                    continue
                }
                if got.isEmpty && pending.isEmpty {
                    try await storing?.value
                    storing = nil
                    try await store(try await handler.idle())
                    idle += 1
                    if let limit = stopWhenIdle, idle >= limit { return }
                }
                natsBackoff.reset()
            } catch let e as NATSError {
                // The connection is down or the server restarting; libnats reconnects. Unacked
                // messages come back after their ack wait, and idempotent inserts absorb the repeats.
                pending = []
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

    /// Handles the batch now, then stores it once the previous store (`storing`) has finished.
    func process(_ messages: [JetStreamMessage], after storing: inout Task<Void, Error>?) async throws {
        stats.update { $0.received += UInt64(messages.count) }
        metrics.received.increment(by: Int64(messages.count))
        metrics.batchSize.record(messages.count)
        let output = try await handleRetrying(messages)
        let previous = storing
        storing = Task {
            try await previous?.value
            try await self.store(output)
        }
    }

    private func handleRetrying(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        var backoff = self.backoff
        while true {
            do {
                return try await handler.handle(messages)
            } catch let e where !(e is CancellationError) {
                // The handler itself failed (e.g. the sentiment provider is down): keep the batch and retry.
                if Task.isCancelled { throw CancellationError() }
                let delay = backoff.next()
                stats.update {
                    $0.handlerRetries += 1
                    $0.lastError = "\(e)"
                }
                logger.error("handling a batch of \(messages.count) failed, retrying in \(delay)", metadata: ["error": "\(e)"])
                try? await consumer.inProgress(messages)
                try await Task.sleep(for: delay)
            }
        }
    }

    func store(_ output: HandlerOutput) async throws {
        guard !output.isEmpty else { return }
        if !output.invalid.isEmpty { try await deadLetter(output.invalid) }
        var done = output.done
        for (table, batch) in output.rows.sorted(by: { $0.key < $1.key }) where !batch.isEmpty {
            let kept = try await insert(batch, into: table, for: done)
            if kept.count != done.count { done = kept }
        }
        if !output.publish.isEmpty {
            try await consumer.context.publishAsync(output.publish)
            try await consumer.context.waitForAcks(timeout: .seconds(30))
        }
        try await consumer.ack(done)
    }

    /// Publishes each invalid message to the DLQ (waiting for JetStream's ack), records it in
    /// `dead_letters`, then terminates it.
    func deadLetter(_ items: [(JetStreamMessage, ValidationError)]) async throws {
        var rows = InsertBatch()
        let now = Timestamp.now()
        for (m, e) in items {
            let seq = m.metadata?.streamSequence ?? 0
            let headers: [(name: String, value: String)] = [
                (MessageHeader.dlqReason, e.description),
                (MessageHeader.dlqSubject, m.subject),
                (MessageHeader.dlqStreamSequence, String(seq)),
            ]
            let eventID = "\(consumer.spec.stream)-\(seq)"
            let payload = m.payload
            _ = try await consumer.context.publish(OutgoingMessage(subject: deadLetterSubject, payload: payload, headers: headers, messageID: eventID))
            rows.append(row: DeadLetterRow(receivedAt: now, stream: consumer.spec.stream, subject: m.subject, consumer: name,
                                           streamSequence: seq, error: e, payload: payload,
                                           headers: m.headers, eventID: eventID).json)
            logger.warning("dead-lettered message", metadata: ["subject": .string(m.subject), "seq": .stringConvertible(seq), "reason": .string(e.description)])
        }
        _ = try await insert(rows, into: "dead_letters", for: items.map(\.0), token: "dlq:\(name):\(items.compactMap { $0.0.metadata?.streamSequence }.min() ?? 0)")
        try await consumer.term(items.map(\.0))
        stats.update { $0.deadLettered += UInt64(items.count) }
        metrics.deadLettered.increment(by: Int64(items.count))
    }

    /// Inserts until it succeeds; returns the inputs whose rows are stored (rows the server
    /// rejects as bad data are found one by one and dead-lettered, when the handler can say whose they are).
    func insert(_ batch: InsertBatch, into table: String, for messages: [JetStreamMessage], token: String? = nil) async throws -> [JetStreamMessage] {
        let seqs = messages.compactMap { $0.metadata?.streamSequence }
        let token = token ?? "\(consumer.spec.durable):\(table):\(seqs.min() ?? 0)-\(seqs.max() ?? 0):\(batch.rowCount)"
        var backoff = self.backoff
        while true {
            let started = DispatchTime.now().uptimeNanoseconds
            do {
                try await clickHouse.insert(into: table, batch: batch, deduplicationToken: token)
                metrics.insertLatency.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
                metrics.rowsInserted(table).increment(by: Int64(batch.rowCount))
                // Dead letters are counted as such, not as the consumer's rows.
                if table != "dead_letters" {
                    stats.update {
                        $0.rowsInserted += UInt64(batch.rowCount)
                        $0.batches += 1
                    }
                }
                return messages
            } catch let e where Self.isDataError(e) && messages.count > 1 && handler.rowsIndividually(messages[0]) != nil {
                logger.warning("batch rejected by ClickHouse, inserting messages one by one", metadata: ["error": .string(e.description)])
                return try await insertIndividually(messages)
            } catch let e where Self.isDataError(e) && messages.count == 1 && table != "dead_letters" && handler.rowsIndividually(messages[0]) != nil {
                try await deadLetter([(messages[0], ValidationError(field: "$", message: "rejected by ClickHouse: \(e)"))])
                return []
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let delay = backoff.next()
                stats.update {
                    $0.insertRetries += 1
                    $0.lastError = error.description
                }
                metrics.retries.increment()
                logger.error("insert into \(table) failed, retrying in \(delay)", metadata: ["error": .string(error.description), "attempt": .stringConvertible(backoff.attempts)])
                // Keep the messages ours while we wait, so JetStream does not redeliver them.
                try? await consumer.inProgress(messages)
                try await Task.sleep(for: delay)
            }
        }
    }

    private func insertIndividually(_ messages: [JetStreamMessage]) async throws -> [JetStreamMessage] {
        var stored: [JetStreamMessage] = []
        for m in messages {
            guard let (table, rows) = handler.rowsIndividually(m) else { continue }
            var one = InsertBatch()
            for r in rows { one.append(row: r) }
            stored += try await insert(one, into: table, for: [m])
        }
        return stored
    }

    /// Errors caused by the rows themselves (parse failures, bad values), not by the server's state.
    static func isDataError(_ e: ClickHouseError) -> Bool {
        guard let code = e.code else { return false }
        return [6, 26, 27, 32, 38, 41, 53, 69, 70, 72, 117, 130, 131, 190, 321, 376, 377, 441, 457, 691].contains(code)
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
