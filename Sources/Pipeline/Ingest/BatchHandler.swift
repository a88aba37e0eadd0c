import ClickHouse
import JetStream
import RiskSignalCore

/// What handling a fetched batch produced: rows to store, messages to publish, and the fate of each input.
public struct HandlerOutput: Sendable {
    /// JSONEachRow batches by table.
    public var rows: [String: InsertBatch] = [:]
    /// Derived messages (e.g. `market.l2.<symbol>`), published after the rows are stored.
    public var publish: [OutgoingMessage] = []
    /// Inputs that failed validation: dead-lettered, then terminated.
    public var invalid: [(JetStreamMessage, ValidationError)] = []
    /// Inputs to ack once the rows and publications above are stored.
    public var done: [JetStreamMessage] = []

    public init() {}

    public mutating func append(row: String, to table: String) {
        rows[table, default: InsertBatch()].append(row: row)
    }

    public var rowCount: Int { rows.values.reduce(0) { $0 + $1.rowCount } }
    public var isEmpty: Bool { rows.isEmpty && publish.isEmpty && invalid.isEmpty && done.isEmpty }
}

/// Turns fetched messages into stored work. Stateless streams use `EncoderHandler`; the market
/// normaliser and social scorer keep state across batches.
public protocol BatchHandler: Sendable {
    func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput
    /// Called when a fetch came back empty, so windows held open can be closed.
    func idle() async throws -> HandlerOutput
    /// Rows of one message alone, to find which message ClickHouse rejects; nil when the handler keeps state.
    func rowsIndividually(_ message: JetStreamMessage) -> (table: String, rows: [String])?
}

extension BatchHandler {
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
        for m in messages {
            let result = m.withInbound { inbound in Result { () throws(ValidationError) in try encoder.rows(for: inbound) } }
            switch result {
            case .success(let rows):
                for r in rows { batch.append(row: r) }
                out.done.append(m)
            case .failure(let e):
                out.invalid.append((m, e))
            }
        }
        if !batch.isEmpty { out.rows[encoder.table] = batch }
        return out
    }

    public func rowsIndividually(_ message: JetStreamMessage) -> (table: String, rows: [String])? {
        let rows = message.withInbound { try? encoder.rows(for: $0) }
        return rows.map { (encoder.table, $0) }
    }
}
