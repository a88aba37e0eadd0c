import Alerting
import JetStream
import RiskSignalCore

/// `market.quotes.<symbol>` → `quotes` rows; with `spreadPolicy`, the `spread_blowout` rule on every quote as it
/// arrives (for feeds that publish quotes but no book: with a book too, the market normaliser already runs the rule
/// and this would alert twice, so it is opt-in, `--quote-spread-alerts`).
public actor QuoteHandler: BatchHandler {
    private let rows = EncoderHandler(QuoteRowEncoder())
    private var engine: AlertEngine?
    /// Strong references: an observed message stays alive until its batch is handled or dropped, so its address cannot
    /// be reused by a new message that would then look observed.
    private var observed: [ObjectIdentifier: JetStreamMessage] = [:]
    private var alertRows: [String] = []

    /// `spreadPolicy`: evaluate its `spread_blowout` rule on the quotes (its `liquidity_drop` is off here: a quote's
    /// sizes are the touch, not the book's depth).
    public init(spreadPolicy: RiskPolicy? = nil) {
        engine = spreadPolicy.map { p in
            var q = p
            q.rules[.liquidityDrop]?.enabled = false
            return AlertEngine(policy: q)
        }
    }

    /// Quotes the spread rule evaluated so far.
    public var evaluated: Int { engine?.evaluated ?? 0 }

    public func observe(_ messages: [JetStreamMessage]) -> [OutgoingMessage] { detect(messages) }

    public func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        let fresh = messages.filter { observed[ObjectIdentifier($0)] == nil }
        let early = fresh.isEmpty ? [] : detect(fresh)
        for m in messages { observed[ObjectIdentifier(m)] = nil }
        var out = try await rows.handle(messages)
        out.publish += early
        for r in alertRows { out.append(row: r, to: "alerts_history") }
        alertRows = []
        return out
    }

    public func dropped(_ messages: [JetStreamMessage]) {
        for m in messages { observed[ObjectIdentifier(m)] = nil }
    }

    public nonisolated func rowsIndividually(_ message: JetStreamMessage) -> (table: String, rows: [String])? { rows.rowsIndividually(message) }

    /// Runs the spread rule on each valid quote with both sides (an invalid one is dead-lettered by `handle`).
    private func detect(_ messages: [JetStreamMessage]) -> [OutgoingMessage] {
        guard engine != nil else { return [] }
        var out: [OutgoingMessage] = []
        for m in messages {
            observed[ObjectIdentifier(m)] = m
            let input = m.withInbound { inbound -> RiskInput? in
                guard let f = try? FieldReader.parse(inbound.payload, maxBytes: rows.encoder.maxMessageBytes),
                      let q = try? rows.encoder.fields(f, subject: inbound), q.bidPrice > 0, q.askPrice > 0 else { return nil }
                let intended = inbound.intendedTime(f)?.nanosSinceEpoch
                // An intended time the tables cannot keep makes the quote invalid (the row path dead-letters it).
                if let i = intended, (try? ColumnLimits.dateTime64(Timestamp(nanosSinceEpoch: i), field: "intended_ns")) == nil { return nil }
                return .book(symbol: q.symbol, eventTime: q.eventTime.nanosSinceEpoch, intendedTime: intended,
                             bids: [(q.bidPrice, q.bidSize ?? 0)], asks: [(q.askPrice, q.askSize ?? 0)])
            }
            guard let input else { continue }
            out += AlertPublication.raised(engine!.ingest(input), receivedAt: m.fetchedAt.nanosSinceEpoch, rows: &alertRows)
        }
        return out
    }
}
