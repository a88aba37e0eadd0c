import Alerting
import JetStream
import Logging
import MarketData
import Metrics
import RiskSignalCore

/// `market.l2raw.<symbol>` diffs → per-symbol books with gap detection → per-window aggregated
/// deltas and top-N snapshots → `book_topn` rows and `market.l2.<symbol>` messages; and the book
/// alert rules (`liquidity_drop`, `spread_blowout`) evaluated on the live books as updates arrive.
///
/// Raw messages stay unacked while their window is open and are acked with the rows it produced;
/// messages the normaliser ignores (stale, or while a book awaits its resync snapshot) are acked at once.
/// Updates are applied when they are observed (each fetch, before its batch closes) and the rules run on every
/// applied update, so an alert leaves within one fetch of its update instead of after the window, the batch and
/// the insert.
public actor MarketHandler: BatchHandler {
    private var normalizer: BookNormalizer
    private var held: [UInt64: JetStreamMessage] = [:]
    private var nextTag: UInt64 = 1 << 62
    /// What observed messages produced, waiting for their batch to close.
    private var events: [NormalizerEvent] = []
    private var invalid: [(JetStreamMessage, ValidationError)] = []
    /// Strong references: an observed message stays alive until its batch is handled or dropped, so its address cannot
    /// be reused by a new message that would then look observed.
    private var observed: [ObjectIdentifier: JetStreamMessage] = [:]
    private var alertRows: [String] = []
    /// The book rules; nil when the handler only normalises.
    private var engine: AlertEngine?
    public let maxMessageBytes: Int
    private let logger = Logger(label: "risksignal.consume.market")
    private let gapCounter = Counter(label: "risksignal_market_sequence_gaps_total")

    /// `policy`: evaluate its book rules here (nil: normalise only).
    public init(config: NormalizerConfig = NormalizerConfig(), maxMessageBytes: Int = 1 << 20, policy: RiskPolicy? = nil) throws {
        normalizer = try BookNormalizer(config: config)
        self.maxMessageBytes = maxMessageBytes
        engine = policy.map { AlertEngine(policy: $0) }
    }

    /// Gaps, stale updates, windows and snapshots so far, over all symbols.
    public var counters: NormalizerCounters { normalizer.totalCounters }

    public func counters(for symbol: String) -> NormalizerCounters { normalizer.counters(for: symbol) }

    /// Book inputs the alert rules have evaluated so far.
    public var alertEvaluations: Int { engine?.evaluated ?? 0 }

    /// Applies the updates to the books and evaluates the book rules after each.
    public func observe(_ messages: [JetStreamMessage]) -> [OutgoingMessage] { applyAndDetect(messages) }

    private func applyAndDetect(_ messages: [JetStreamMessage]) -> [OutgoingMessage] {
        var out: [OutgoingMessage] = []
        for m in messages {
            observed[ObjectIdentifier(m)] = m
            // Every applied update is evaluated on the book it leaves: the same inputs give the same alerts
            // whatever the fetch boundaries (a backlog, a replay), and an alert is timed from its own update.
            if let u = apply(m), engine != nil { out += detect(u, receivedAt: m.fetchedAt.nanosSinceEpoch) }
        }
        return out
    }

    public func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        var out = HandlerOutput()
        // Messages handed over without `observe` (a direct `process`, tests) are applied now; their alerts go with the batch.
        let fresh = messages.filter { observed[ObjectIdentifier($0)] == nil }
        if !fresh.isEmpty { out.publish += applyAndDetect(fresh) }
        for m in messages { observed[ObjectIdentifier(m)] = nil }
        out.invalid = invalid
        invalid = []
        let ready = events
        events = []
        collect(ready, into: &out)
        for r in alertRows { out.append(row: r, to: "alerts_history") }
        alertRows = []
        return out
    }

    /// Their updates stay applied (a redelivery is then stale and acked as such); only the marks go.
    public func dropped(_ messages: [JetStreamMessage]) {
        for m in messages { observed[ObjectIdentifier(m)] = nil }
    }

    /// Decodes and applies one message; the update when it reached a live book (nil when invalid or not applied).
    private func apply(_ m: JetStreamMessage) -> L2Update? {
        let decoded = m.withInbound { inbound -> Result<(L2Update, UInt64), ValidationError> in
            switch L2Update.decode(inbound.payload, maxPayloadBytes: maxMessageBytes) {
            case .failure(let e): return .failure(ValidationError(field: e.field, message: e.message))
            case .success(var u):
                guard inbound.subjectSuffix == u.symbol else {
                    return .failure(ValidationError(field: "symbol", message: "\"\(u.symbol)\" does not match the subject \(inbound.subject)"))
                }
                if u.intendedNanos == nil { u.intendedNanos = inbound.intendedTime()?.nanosSinceEpoch }
                // Checked here, before the update reaches a book: window rows are built from times already accepted.
                do throws(NumberRangeError) {
                    try ColumnLimits.eventTime(Timestamp(nanosSinceEpoch: u.eventTimeNanos))
                    if let i = u.intendedNanos { try ColumnLimits.dateTime64(Timestamp(nanosSinceEpoch: i), field: "intended_ns") }
                } catch { return .failure(ValidationError(error)) }
                return .success((u, inbound.streamSequence))
            }
        }
        switch decoded {
        case .failure(let e):
            invalid.append((m, e))
            return nil
        case .success(let (update, seq)):
            var tag = seq
            if tag == 0 || held[tag] != nil { tag = nextTag; nextTag += 1 }
            held[tag] = m
            let produced = normalizer.ingest(update, tag: tag)
            let applied = !produced.contains { if case .ignored(let t, _) = $0, t == tag { true } else { false } }
            events += produced
            return applied && normalizer.status(of: update.symbol) == .live ? update : nil
        }
    }

    /// Evaluates the book rules on the book `update` left.
    private func detect(_ update: L2Update, receivedAt: Int64) -> [OutgoingMessage] {
        guard let book = normalizer.book(for: update.symbol), engine != nil else { return [] }
        let n = normalizer.config.topN
        let input = RiskInput.book(symbol: update.symbol, eventTime: update.eventTimeNanos, intendedTime: update.intendedNanos,
                                   bids: book.topBids(n).map { ($0.price, $0.quantity) }, asks: book.topAsks(n).map { ($0.price, $0.quantity) })
        return AlertPublication.raised(engine!.ingest(input), receivedAt: receivedAt, rows: &alertRows)
    }

    /// Input went quiet: close every open window so nothing waits for a next message.
    public func idle() async throws -> HandlerOutput {
        var out = HandlerOutput()
        collect(normalizer.flushAll(), into: &out)
        return out
    }

    private func collect(_ events: [NormalizerEvent], into out: inout HandlerOutput) {
        for e in events {
            switch e {
            case .window(let w), .snapshot(let w):
                // The window's inputs own its rows: a row ClickHouse rejects dead-letters them, not the whole batch.
                let inputs = w.tags.compactMap { held[$0] }
                let source = out.addSource(inputs)
                for row in Self.rows(for: w) { out.append(row: row, to: "book_topn", source: source) }
                var headers: [(name: String, value: String)] = []
                if let t = w.maxIntendedNanos { headers.append((MessageHeader.intendedSendNanos, String(t))) }
                out.publish.append(OutgoingMessage(subject: "market.l2.\(w.symbol)", text: w.jsonForBus(), headers: headers,
                                                   messageID: "l2:\(w.symbol):\(w.kind.rawValue):\(w.windowStartNanos):\(w.lastUpdateId)"))
                for t in w.tags { if let m = held.removeValue(forKey: t) { out.done.append(m) } }
            case .gap(let symbol, let expected, let got):
                gapCounter.increment()
                logger.warning("sequence gap: resyncing from the next snapshot", metadata: ["symbol": .string(symbol), "expected": .stringConvertible(expected), "got": .stringConvertible(got)])
            case .ignored(let tag, _):
                if let m = held.removeValue(forKey: tag) { out.done.append(m) }
            }
        }
    }

    /// A window becomes a `delta` row of its net level changes, plus a `snapshot` row of the top N
    /// when the top of book moved beyond the threshold; a snapshot input becomes one `snapshot` row.
    static func rows(for w: WindowOutput) -> [String] {
        func levels(_ l: [PriceLevel]) -> String {
            "[" + l.map { "[\($0.price),\($0.quantity)]" }.joined(separator: ",") + "]"
        }
        let meta = "{\"exchange\":\(JSONText.quoted(w.exchange)),\"first_update_id\":\(w.firstUpdateId),\"last_update_id\":\(w.lastUpdateId),\"update_count\":\(w.updateCount),\"window_start_ms\":\(w.windowStartNanos / 1_000_000)}"
        let intended = w.maxIntendedNanos.map { Timestamp(nanosSinceEpoch: $0) }
        func row(_ type: String, time: Int64, bids: String, asks: String) -> String {
            var r = RowWriter()
            r.ownTime("event_time", Timestamp(nanosSinceEpoch: time))
            r.string("symbol", w.symbol)
            r.raw("bids", bids)
            r.raw("asks", asks)
            r.string("update_type", type)
            r.string("metadata", meta)
            r.string("event_id", "\(w.symbol):\(type):\(w.windowStartNanos):\(w.lastUpdateId)")
            r.ownIntended(intended)
            return r.finish()
        }
        if w.kind == .snapshot {
            return [row("snapshot", time: w.maxEventTimeNanos, bids: levels(w.topBids), asks: levels(w.topAsks))]
        }
        var rows = [row("delta", time: w.maxEventTimeNanos, bids: levels(w.deltaBids), asks: levels(w.deltaAsks))]
        if w.snapshotEmitted {
            rows.append(row("snapshot", time: w.maxEventTimeNanos, bids: levels(w.topBids), asks: levels(w.topAsks)))
        }
        return rows
    }
}

