import ClickHouse
import JetStream
import Logging
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

/// Moves one durable consumer's messages into a ClickHouse table, acking only what is stored.
///
/// Delivery rules (DESIGN §3): invalid messages go to `dlq.<name>` and are then terminated, never
/// blocking the batch; valid ones are inserted with a deduplication token derived from their
/// stream sequences and acked only after the insert succeeded; while ClickHouse is down the
/// loop stops fetching and retries with capped, jittered backoff, keeping messages unacked.
public struct StreamIngestor<Encoder: RowEncoder>: Sendable {
    public var name: String
    public var consumer: PullConsumer
    public var clickHouse: ClickHouseClient
    public var encoder: Encoder
    public var policy: BatchPolicy
    public var stats: IngestStats
    public var logger: Logger
    public var backoff: Backoff

    public init(name: String, consumer: PullConsumer, clickHouse: ClickHouseClient, encoder: Encoder,
                policy: BatchPolicy = .init(), stats: IngestStats = .init(), logger: Logger? = nil) {
        self.name = name
        self.consumer = consumer
        self.clickHouse = clickHouse
        self.encoder = encoder
        self.policy = policy
        self.stats = stats
        self.logger = logger ?? Logger(label: "risksignal.consume.\(name)")
        self.backoff = Backoff()
    }

    public var deadLetterSubject: String { "dlq.\(name)" }

    /// Runs until the task is cancelled (finishing the batch in hand), or until `stopWhenIdle` empty fetches in a row.
    public func run(stopWhenIdle: Int? = nil) async throws {
        var idle = 0
        while !Task.isCancelled {
            let messages = try await consumer.fetch(batch: policy.batchSize, maxWait: policy.maxWait)
            if messages.isEmpty {
                idle += 1
                if let limit = stopWhenIdle, idle >= limit { return }
                continue
            }
            idle = 0
            try await process(messages)
        }
    }

    /// Validates, dead-letters, inserts and acks one fetched batch.
    public func process(_ messages: [JetStreamMessage]) async throws {
        var batch = InsertBatch(reservingBytes: messages.count * 256)
        var valid: [JetStreamMessage] = []
        var invalid: [(JetStreamMessage, ValidationError)] = []
        valid.reserveCapacity(messages.count)
        for m in messages {
            let subject = m.subject
            let result = m.withPayload { encoder.rows(subject: subject, payload: $0, headers: { m.header($0) }) }
            switch result {
            case .success(let rows):
                for r in rows { batch.append(row: r) }
                valid.append(m)
            case .failure(let e):
                invalid.append((m, e))
            }
        }
        stats.update { $0.received += UInt64(messages.count) }
        if !invalid.isEmpty { try await deadLetter(invalid) }
        if !valid.isEmpty {
            let stored = try await insert(batch, messages: valid)
            try await consumer.ack(stored)
        }
    }

    /// Publishes each invalid message to the DLQ (waiting for JetStream's ack), then terminates it.
    func deadLetter(_ items: [(JetStreamMessage, ValidationError)]) async throws {
        for (m, e) in items {
            var headers: [(name: String, value: String)] = [
                (MessageHeader.dlqReason, e.description),
                (MessageHeader.dlqSubject, m.subject),
            ]
            if let seq = m.metadata?.streamSequence { headers.append((MessageHeader.dlqStreamSequence, String(seq))) }
            let msgID = m.metadata.map { "\(consumer.spec.stream)-\($0.streamSequence)" }
            _ = try await consumer.context.publish(OutgoingMessage(subject: deadLetterSubject, payload: m.payload, headers: headers, messageID: msgID))
            logger.warning("dead-lettered message", metadata: ["subject": .string(m.subject), "reason": .string(e.description)])
        }
        try await consumer.term(items.map(\.0))
        stats.update { $0.deadLettered += UInt64(items.count) }
    }

    /// Inserts until it succeeds; returns the messages whose rows are stored (bad rows are dead-lettered).
    func insert(_ batch: InsertBatch, messages: [JetStreamMessage]) async throws -> [JetStreamMessage] {
        let seqs = messages.compactMap { $0.metadata?.streamSequence }
        let token = "\(consumer.spec.durable):\(seqs.min() ?? 0)-\(seqs.max() ?? 0):\(batch.rowCount)"
        var backoff = self.backoff
        while true {
            do {
                try await clickHouse.insert(into: encoder.table, batch: batch, deduplicationToken: token)
                stats.update {
                    $0.rowsInserted += UInt64(batch.rowCount)
                    $0.batches += 1
                }
                return messages
            } catch let e where Self.isDataError(e) && messages.count > 1 {
                // The server rejected the data itself: find the offending messages one by one.
                logger.warning("batch rejected, inserting messages one by one", metadata: ["error": .string(e.description)])
                return try await insertIndividually(messages)
            } catch let e where Self.isDataError(e) {
                try await deadLetter([(messages[0], ValidationError(field: "$", message: "rejected by ClickHouse: \(e)"))])
                return []
            } catch {
                if Task.isCancelled { throw CancellationError() }
                let delay = backoff.next()
                stats.update {
                    $0.insertRetries += 1
                    $0.lastError = error.description
                }
                logger.error("insert into \(encoder.table) failed, retrying in \(delay)", metadata: ["error": .string(error.description), "attempt": .stringConvertible(backoff.attempts)])
                // Keep the messages ours while we wait, so JetStream does not redeliver them elsewhere.
                try? await consumer.inProgress(messages)
                try await Task.sleep(for: delay)
            }
        }
    }

    private func insertIndividually(_ messages: [JetStreamMessage]) async throws -> [JetStreamMessage] {
        var stored: [JetStreamMessage] = []
        for m in messages {
            let subject = m.subject
            guard case .success(let rows) = m.withPayload({ encoder.rows(subject: subject, payload: $0, headers: { m.header($0) }) }) else { continue }
            var one = InsertBatch()
            for r in rows { one.append(row: r) }
            stored += try await insert(one, messages: [m])
        }
        return stored
    }

    /// Errors caused by the rows themselves (parse failures, bad values), not by the server's state.
    static func isDataError(_ e: ClickHouseError) -> Bool {
        guard let code = e.code else { return false }
        return [6, 26, 27, 32, 38, 41, 53, 69, 70, 72, 117, 130, 131, 190, 321, 376, 377, 441, 457, 691].contains(code)
    }
}
