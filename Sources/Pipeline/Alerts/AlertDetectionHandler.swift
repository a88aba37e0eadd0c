import Alerting
import JetStream
import Logging
import Metrics
import RiskSignalCore

/// The alert engine shared by the three input streams, so cooldowns and windows see every input.
public actor AlertEngineBox {
    private var engine: AlertEngine
    public init(policy: RiskPolicy) { engine = AlertEngine(policy: policy) }
    func ingest(_ inputs: [RiskInput]) -> [RiskAlert] { inputs.flatMap { engine.ingest($0) } }
    public var suppressed: [String: Int] { engine.suppressed }
    public var evaluated: Int { engine.evaluated }
}

/// Feeds one input stream (`market.l2.>`, `user.actions.>` or `social.processed.>`) to the alert
/// engine; alerts go to `alerts.<rule>` and to `alerts_history` (status `raised`).
public struct AlertDetectionHandler: BatchHandler {
    public enum Source: String, Sendable { case books, orders, posts }
    public let source: Source
    public let engine: AlertEngineBox
    let logger = Logger(label: "risksignal.alerts")

    public init(source: Source, engine: AlertEngineBox) {
        self.source = source
        self.engine = engine
    }

    public func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        var out = HandlerOutput()
        var inputs: [RiskInput] = []
        inputs.reserveCapacity(messages.count)
        for m in messages {
            let r = m.withInbound { inbound in Result { () throws(ValidationError) in try decode(inbound) } }
            switch r {
            case .success(let input): inputs.append(input)
            case .failure(let e): out.invalid.append((m, e))
            }
            if case .success = r { out.done.append(m) }
        }
        let alerts = await engine.ingest(inputs)
        let now = Timestamp.now()
        for a in alerts {
            Counter(label: "risksignal_alerts_raised_total", dimensions: [("rule", a.rule)]).increment()
            logger.notice("alert raised", metadata: ["rule": .string(a.rule), "key": .string(a.key), "observed": .stringConvertible(a.observed)])
            var headers: [(name: String, value: String)] = []
            if let t = a.intendedTime { headers.append((MessageHeader.intendedSendNanos, String(t))) }
            out.publish.append(OutgoingMessage(subject: "alerts.\(a.rule)", text: a.jsonText(), headers: headers, messageID: a.id))
            out.append(row: AlertHistoryRow(alert: a, status: "raised", attempts: 0, endpoint: "", deliveredAt: nil, latencyMs: 0, detail: "", at: now).json,
                       to: "alerts_history")
        }
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
        case .books:
            // market.l2.<symbol> windows: the top-N after the window.
            let symbol = try f.symbol()
            let time = try f.uint64("window_end_ms")
            func levels(_ key: String) throws(ValidationError) -> [(Double, Double)] {
                try f.array(key, maxCount: 1000).enumerated().map { i, v throws(ValidationError) -> (Double, Double) in
                    guard case .array(let pq) = v, pq.count >= 2, let p = pq[0].number, let q = pq[1].number else {
                        throw ValidationError(field: "\(key)[\(i)]", message: "expected [price, quantity]")
                    }
                    return (p, q)
                }
            }
            let eventTime = try Self.checked(Int64(clamping: time), unit: .milliseconds, field: "window_end_ms")
            return .book(symbol: symbol, eventTime: eventTime, intendedTime: intended,
                         bids: try levels("top_bids"), asks: try levels("top_asks"))
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
        return w.finish()
    }
}
