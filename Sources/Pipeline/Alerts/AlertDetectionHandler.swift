import Alerting
import JetStream
import Logging
import Metrics
import RiskSignalCore

/// The alert engine shared by the order and post streams, so cooldowns and windows see every input.
public actor AlertEngineBox {
    private var engine: AlertEngine
    public init(policy: RiskPolicy) { engine = AlertEngine(policy: policy) }

    /// Each input with the instant it reached its consumer: the raised alerts' messages and `raised` rows.
    func ingest(_ inputs: [(input: RiskInput, receivedAt: Int64)]) -> (messages: [OutgoingMessage], rows: [String]) {
        var messages: [OutgoingMessage] = []
        var rows: [String] = []
        for (input, receivedAt) in inputs {
            messages += AlertPublication.raised(engine.ingest(input), receivedAt: receivedAt, rows: &rows)
        }
        return (messages, rows)
    }
    public var suppressed: [String: Int] { engine.suppressed }
    public var evaluated: Int { engine.evaluated }
}

/// How a raised alert leaves its detector: a message on `alerts.<rule>` (published at once) and an `alerts_history`
/// row with status `raised` (stored off the critical path).
enum AlertPublication {
    static let logger = Logger(label: "risksignal.alerts")

    static func message(_ a: RiskAlert) -> OutgoingMessage {
        Counter(label: "risksignal_alerts_raised_total", dimensions: [("rule", a.rule)]).increment()
        logger.notice("alert raised", metadata: ["rule": .string(a.rule), "key": .string(a.key), "observed": .stringConvertible(a.observed)])
        var headers: [(name: String, value: String)] = []
        if let t = a.intendedTime { headers.append((MessageHeader.intendedSendNanos, String(t))) }
        return OutgoingMessage(subject: "alerts.\(a.rule)", text: a.jsonText(), headers: headers, messageID: a.id)
    }

    /// Alerts a detector just raised from an input that reached it at `receivedAt`: stamped with both instants, their
    /// `raised` rows added to `rows`, their messages returned.
    static func raised(_ alerts: [RiskAlert], receivedAt: Int64, rows: inout [String]) -> [OutgoingMessage] {
        guard !alerts.isEmpty else { return [] }
        let now = Timestamp.now().nanosSinceEpoch
        return alerts.map { alert in
            var a = alert
            a.receivedAt = receivedAt
            a.detectedAt = now
            rows.append(raisedRow(a))
            return message(a)
        }
    }

    static func raisedRow(_ a: RiskAlert) -> String {
        AlertHistoryRow(alert: a, status: "raised", attempts: 0, endpoint: "", deliveredAt: nil, latencyMs: 0, detail: "",
                        at: a.detectedAt.map { Timestamp(nanosSinceEpoch: $0) } ?? Timestamp.now()).json
    }
}

/// Feeds one input stream (`user.actions.>` or `social.processed.>`) to the alert engine; alerts go to
/// `alerts.<rule>` and to `alerts_history` (status `raised`). The book rules run in the market normaliser, where
/// the books are (`MarketHandler`).
public struct AlertDetectionHandler: BatchHandler {
    public enum Source: String, Sendable { case orders, posts }
    public let source: Source
    public let engine: AlertEngineBox

    public init(source: Source, engine: AlertEngineBox) {
        self.source = source
        self.engine = engine
    }

    public func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        var out = HandlerOutput()
        var inputs: [(input: RiskInput, receivedAt: Int64)] = []
        inputs.reserveCapacity(messages.count)
        for m in messages {
            let r = m.withInbound { inbound in Result { () throws(ValidationError) in try decode(inbound) } }
            switch r {
            case .success(let input):
                inputs.append((input, m.fetchedAt.nanosSinceEpoch))
                out.done.append(m)
            case .failure(let e): out.invalid.append((m, e))
            }
        }
        let raised = await engine.ingest(inputs)
        out.publish += raised.messages
        for r in raised.rows { out.append(row: r, to: "alerts_history") }
        return out
    }

    /// An event time the alert tables keep (`ColumnLimits.eventTime`), as nanoseconds.
    static func checked(_ t: Timestamp, field: String = "event_time") throws(ValidationError) -> Int64 {
        do { return try ColumnLimits.eventTime(t, field: field).nanosSinceEpoch } catch { throw ValidationError(error) }
    }

    /// An epoch integer in `unit`, converted without overflow, then checked like any event time.
    static func checked(_ v: Int64, unit: EpochUnit, field: String) throws(ValidationError) -> Int64 {
        do { return try checked(Timestamp(nanosSinceEpoch: unit.nanos(v, field: field)), field: field) } catch let e as NumberRangeError {
            throw ValidationError(e)
        } catch let e as ValidationError { throw e } catch { throw ValidationError(field: field, message: "\(error)") }
    }

    func decode(_ m: InboundMessage) throws(ValidationError) -> RiskInput {
        let f = try FieldReader.parse(m.payload, maxBytes: 1 << 20)
        let intended = m.intendedTime(f)?.nanosSinceEpoch
        if let i = intended {
            do { try ColumnLimits.dateTime64(Timestamp(nanosSinceEpoch: i), field: "intended time (\(MessageHeader.intendedSendNanos) header or intended_ns)") } catch { throw ValidationError(error) }
        }
        switch source {
        case .orders:
            return .order(userID: try f.uint64("user_id"), orderID: try f.uint64("order_id"), symbol: try f.symbol(),
                          status: try f.string("status", maxLength: 32), eventTime: try Self.checked(f.timestamp("event_time")), intendedTime: intended)
        case .posts:
            let symbol = (try? f.string("symbol", allowEmpty: true)) ?? ""
            return .post(symbol: symbol, eventTime: try Self.checked(f.timestamp("event_time")), intendedTime: intended,
                         sentiment: try f.double("sentiment_score", range: -1...1))
        }
    }
}

extension JSONValue {
    var number: Double? {
        switch self {
        case .int(let i): Double(i)
        case .double(let d): d
        case .string(let s): Double(s)
        default: nil
        }
    }
}

/// One `alerts_history` row: an alert and the state of its delivery to one endpoint.
struct AlertHistoryRow {
    var alert: RiskAlert
    var status: String
    var attempts: Int
    var endpoint: String
    var deliveredAt: Timestamp?
    var latencyMs: Double
    var detail: String
    var at: Timestamp
    /// Delivery stages (ns since epoch): the alert stored by JetStream, the webhook request sent, its answer received.
    var storedAt: Int64?
    var sentAt: Int64?
    var answeredAt: Int64?

    var json: String {
        var w = RowWriter()
        w.ownTime("event_time", Timestamp(nanosSinceEpoch: alert.eventTime))
        w.string("alert_id", alert.id)
        w.string("rule", alert.rule)
        w.string("severity", alert.severity)
        w.string("key", alert.key)
        w.computed("observed", alert.observed)
        w.computed("threshold", alert.threshold)
        w.computed("window_seconds", alert.windowSeconds)
        w.ownTime("raised_at", at)
        w.string("status", status)
        w.number("attempts", UInt64(clamping: min(attempts, Int(UInt16.max))))
        w.string("endpoint", endpoint)
        if let d = deliveredAt { w.ownTime("delivered_at", d) }
        w.computed("latency_ms", latencyMs)
        w.string("detail", detail.isEmpty ? alert.jsonText() : detail)
        w.string("event_id", "\(alert.id):\(status):\(endpoint)")
        w.ownIntended(alert.intendedTime.map { Timestamp(nanosSinceEpoch: $0) })
        // The alert stages (migration 7); instants decoded from a bus message were range-checked on decode.
        for (k, v) in [("received_at", alert.receivedAt), ("detected_at", alert.detectedAt), ("stored_at", storedAt),
                       ("webhook_sent_at", sentAt), ("answered_at", answeredAt)] {
            if let v { w.ownMicros(k, Timestamp(nanosSinceEpoch: v)) }
        }
        return w.finish()
    }
}
