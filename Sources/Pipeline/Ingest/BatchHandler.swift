import ClickHouse
import JetStream
import RiskSignalCore

/// What handling a fetched batch produced: rows to store, messages to publish, and the fate of each input.
public struct HandlerOutput: Sendable {
    /// JSONEachRow batches by table.
    public var rows: [String: InsertBatch] = [:]
    /// Derived messages (e.g. `market.l2.<symbol>`, alerts), published as soon as the batch is handled, in
    /// parallel with the insert; the inputs are acked once both are acked.
    public var publish: [OutgoingMessage] = []
    /// `publish` is already on its way (the ingestor sent it before the insert).
    var published = false
    /// What went out for this batch before it closed (`observe`) or with it: the store waits for these acks before acking.
    var publishTickets: [PublishTicket] = []
    /// Inputs that failed validation: dead-lettered, then terminated.
    public var invalid: [(JetStreamMessage, ValidationError)] = []
    /// Inputs to ack once the rows and publications above are stored.
    public var done: [JetStreamMessage] = []
    /// For each table, the source group (an index into `sources`) of each row, in row order. A row ClickHouse
    /// rejects dead-letters the inputs of its group; rows without a known source are dropped with a count.
    public var rowSources: [String: [Int32]] = [:]
    /// The inputs behind each source group (one message for a stateless row, a window's messages for a book row).
    public var sources: [[JetStreamMessage]] = []

    public init() {}

    /// A row whose inputs are unknown (e.g. an alert from state built over many batches).
    public mutating func append(row: String, to table: String) {
        rows[table, default: InsertBatch()].append(row: row)
    }

    /// Registers the inputs behind the rows appended next with `append(row:to:source:)`.
    public mutating func addSource(_ messages: [JetStreamMessage]) -> Int32 {
        sources.append(messages)
        return Int32(sources.count - 1)
    }

    /// A row that came from the inputs of `source`, so a rejection can be traced back to them.
    public mutating func append(row: String, to table: String, source: Int32) {
        rows[table, default: InsertBatch()].append(row: row)
        rowSources[table, default: []].append(source)
    }

    /// The source group of each row of `table`, or nil when the handler did not say for every row.
    func sources(of table: String) -> [Int32]? {
        guard let s = rowSources[table], s.count == rows[table]?.rowCount else { return nil }
        return s
    }

    /// Adds another output's work to this one (its source groups renumbered after ours).
    public mutating func merge(_ other: HandlerOutput) {
        let offset = Int32(sources.count)
        sources += other.sources
        for (table, batch) in other.rows {
            let ownKnown = sources(of: table) != nil || rows[table] == nil
            let theirs = other.sources(of: table)
            for r in batch.rowRanges { rows[table, default: InsertBatch()].append(rowBytes: batch.bytes[r]) }
            if ownKnown, let theirs { rowSources[table, default: []] += theirs.map { $0 + offset } }
        }
        publish += other.publish
        invalid += other.invalid
        done += other.done
    }

    public var rowCount: Int { rows.values.reduce(0) { $0 + $1.rowCount } }
    public var isEmpty: Bool { rows.isEmpty && publish.isEmpty && invalid.isEmpty && done.isEmpty && publishTickets.isEmpty }
}

/// Turns fetched messages into stored work. Stateless streams use `EncoderHandler`; the market
/// normaliser and social scorer keep state across batches.
public protocol BatchHandler: Sendable {
    func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput
    /// Sees every fetch as it arrives, before its batch closes; what it returns is published at once (alerts that
    /// must not wait for the batch). `handle` still gets every message, observed or not.
    func observe(_ messages: [JetStreamMessage]) async -> [OutgoingMessage]
    /// Observed messages whose batch was dropped (the connection failed): they will come back as new deliveries.
    func dropped(_ messages: [JetStreamMessage]) async
    /// Called when a fetch came back empty, so windows held open can be closed.
    func idle() async throws -> HandlerOutput
    /// Rows of one message alone, to find which message ClickHouse rejects; nil when the handler keeps state.
    func rowsIndividually(_ message: JetStreamMessage) -> (table: String, rows: [String])?
}

extension BatchHandler {
    public func observe(_ messages: [JetStreamMessage]) async -> [OutgoingMessage] { [] }
    public func dropped(_ messages: [JetStreamMessage]) async {}
    public func idle() async throws -> HandlerOutput { HandlerOutput() }
    public func rowsIndividually(_ message: JetStreamMessage) -> (table: String, rows: [String])? { nil }
}

/// Adapts a stateless `RowEncoder` to `BatchHandler`.
public struct EncoderHandler<Encoder: RowEncoder>: BatchHandler {
    public let encoder: Encoder

    public init(_ encoder: Encoder) { self.encoder = encoder }

    public func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        var out = HandlerOutput()
        var batch = InsertBatch(reservingBytes: messages.count * 320)
        var sources: [Int32] = []
        sources.reserveCapacity(messages.count)
        for m in messages {
            let result = m.withInbound { inbound in Result { () throws(ValidationError) in try encoder.rows(for: inbound) } }
            switch result {
            case .success(let rows):
                let source = out.addSource([m])
                for r in rows {
                    batch.append(row: r)
                    sources.append(source)
                }
                out.done.append(m)
            case .failure(let e):
                out.invalid.append((m, e))
            }
        }
        if !batch.isEmpty {
            out.rows[encoder.table] = batch
            out.rowSources[encoder.table] = sources
        }
        return out
    }

    public func rowsIndividually(_ message: JetStreamMessage) -> (table: String, rows: [String])? {
        let rows = message.withInbound { try? encoder.rows(for: $0) }
        return rows.map { (encoder.table, $0) }
    }
}
