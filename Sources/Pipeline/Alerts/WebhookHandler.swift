import Alerting
import AsyncHTTPClient
import ClickHouse
import Foundation
import JetStream
import Logging
import Metrics
import NIOCore
import RiskSignalCore

/// One webhook endpoint and the body shape it expects.
public struct WebhookEndpoint: Sendable, Equatable {
    public enum Format: String, Sendable { case json, slack }
    public var url: String
    public var format: Format

    public init(url: String, format: Format = .json) {
        self.url = url
        self.format = format
    }

    /// A stable durable-name suffix for an endpoint: 8 hex digits of FNV-1a over its URL (a name JetStream accepts,
    /// the same in every process and run, unlike Swift's seeded `hashValue`).
    public static func durableSuffix(_ url: String) -> String {
        var h: UInt32 = 2_166_136_261
        for b in url.utf8 { h = (h ^ UInt32(b)) &* 16_777_619 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}

/// How alerts are delivered: endpoints, signing secret, deadlines and retries.
public struct WebhookSettings: Sendable {
    public var endpoints: [WebhookEndpoint] = []
    /// HMAC-SHA256 key; the signature covers `<timestamp>.<body>`.
    public var secret = ""
    /// Send without a signature (`--unsigned-webhooks`); otherwise an empty secret is refused at start.
    public var unsigned = false
    public var timeout: Duration = .seconds(5)
    public var maxAttempts = 8
    public var initialBackoff: Duration = .milliseconds(250)
    public var maxBackoff: Duration = .seconds(5)
    /// Requests in flight per endpoint; alerts with the same key are still sent one after another.
    public var maxConcurrent = 32
    /// After this long an alert still not delivered goes to the DLQ (within the consumer's 180 s ack wait).
    public var maxDeliveryTime: Duration = .seconds(150)
    /// Per endpoint: failed requests in a row that open its circuit breaker, and how long it stays open at first
    /// (doubling on each reopening up to `breakerMaxOpen`).
    public var breakerThreshold = 5
    public var breakerOpen: Duration = .seconds(1)
    public var breakerMaxOpen: Duration = .seconds(30)
    /// Users file (JSON `{"42": {"name": "…", "tier": "vip"}}`) for enriching user alerts.
    public var users: [String: (name: String, tier: String)] = [:]

    public init() {}

    /// Refuses endpoints without a secret to sign with, unless unsigned delivery was asked for explicitly.
    public func validate() throws(PipelineError) {
        guard !endpoints.isEmpty, !unsigned, secret.isEmpty else { return }
        throw PipelineError.missingConfig("""
            the webhooks consumer has no signing secret: set RS_WEBHOOK_SECRET (for example             `export RS_WEBHOOK_SECRET=$(openssl rand -hex 32)`, the same value in the receiver),             or pass --unsigned-webhooks to send them unsigned
            """)
    }

    /// Reads a users file; errors name the file and the entry.
    public static func loadUsers(path: String) throws(ValidationError) -> [String: (name: String, tier: String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError(field: path, message: "cannot read the users file")
        }
        let root: JSONValue
        do { root = try JSONParser.parse(Array(data)) } catch { throw ValidationError(field: path, message: "not valid JSON (\(error))") }
        guard case .object(let o) = root else { throw ValidationError(field: path, message: "expected an object of user id → {name, tier}") }
        var out: [String: (name: String, tier: String)] = [:]
        for (id, v) in o {
            guard case .object(let u) = v, case .string(let name)? = u["name"] else {
                throw ValidationError(field: "\(path): \(id)", message: "expected {\"name\": \"…\", \"tier\": \"…\"}")
            }
            var tier = ""
            if case .string(let t)? = u["tier"] { tier = t }
            out[id] = (name, tier)
        }
        return out
    }
}

/// Consumes `alerts.>` and POSTs each alert to its endpoints (the pipeline runs one handler, and one durable, per
/// endpoint, so a slow receiver holds up only its own deliveries), signed, over kept-alive connections, with
/// timeouts and capped exponential backoff with jitter. Alerts with the same key are delivered in order; others
/// concurrently, up to `maxConcurrent` requests per endpoint. A circuit breaker per endpoint stops hammering a
/// receiver that keeps failing: deliveries wait for it to half-open instead of spending attempts. After the last
/// attempt, or `maxDeliveryTime`, an alert goes to `dlq.webhooks`. Every attempt lands in `alerts_history`.
///
/// Signature headers: `X-RiskSignal-Timestamp` (ms since the epoch) and `X-RiskSignal-Signature`
/// (`sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`); a receiver recomputes it and rejects
/// timestamps that are too old.
public final class WebhookHandler: BatchHandler {
    public let settings: WebhookSettings
    /// Where this handler delivers (all of `settings.endpoints` unless the pipeline gave it one).
    public let endpoints: [WebhookEndpoint]
    private let http: HTTPClient
    private let breakers: [String: CircuitBreaker]
    /// Where `alerts_history` is, to skip a redelivered alert an earlier run already delivered (nil: never skip).
    private let history: ClickHouseClient?
    private let logger = Logger(label: "risksignal.webhooks")

    public init(settings: WebhookSettings, endpoints: [WebhookEndpoint]? = nil, history: ClickHouseClient? = nil) {
        self.settings = settings
        self.history = history
        self.endpoints = endpoints ?? settings.endpoints
        let state = BreakerState(threshold: settings.breakerThreshold, baseOpen: settings.breakerOpen, maxOpen: settings.breakerMaxOpen)
        breakers = Dictionary(self.endpoints.map { ($0.url, CircuitBreaker(state, endpoint: $0.url)) }, uniquingKeysWith: { a, _ in a })
        var c = HTTPClient.Configuration()
        c.timeout = .init(connect: .seconds(2), read: .nanoseconds(settings.timeout.totalNanoseconds))
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
    }

    public func shutdown() async { let client = http
        // Detached: a cancelled caller must still shut the pool down, or its deinit traps.
        await Task.detached { try? await client.shutdown() }.value }

    public func handle(_ messages: [JetStreamMessage]) async throws -> HandlerOutput {
        var out = HandlerOutput()
        var alerts: [(JetStreamMessage, RiskAlert)] = []
        for m in messages {
            do {
                let a = try JSONDecoder().decode(RiskAlert.self, from: Data(m.payload))
                try Self.checkStages(a)
                alerts.append((m, a))
            } catch let e as ValidationError {
                out.invalid.append((m, e))
            } catch {
                out.invalid.append((m, ValidationError(field: "$", message: "not an alert: \(error)")))
            }
        }
        out.done = alerts.map(\.0)
        let delivered = await deliveredBefore(alerts)
        // One work item per (endpoint, alert key): a key's alerts in order, the items concurrently, at most
        // `maxConcurrent` of them in flight.
        var groups: [[(RiskAlert, Int64?)]] = []
        var groupOfKey: [String: Int] = [:]
        for (m, a) in alerts where !delivered.contains(a.id) {
            if let g = groupOfKey[a.key] { groups[g].append((a, m.metadata?.timestampNanos)) } else {
                groupOfKey[a.key] = groups.count
                groups.append([(a, m.metadata?.timestampNanos)])
            }
        }
        let work = endpoints.flatMap { e in groups.map { (e, $0) } }
        // One deadline for the batch, not per alert: a key's alerts go one after another, and the whole batch must be
        // settled (delivered or dead-lettered) within the consumer's ack wait, or JetStream sends it all again.
        let deadline = ContinuousClock.now + settings.maxDeliveryTime
        let results = await withTaskGroup(of: [DeliveryResult].self) { group in
            var next = 0
            func start() {
                let (endpoint, items) = work[next]
                next += 1
                group.addTask {
                    var out: [DeliveryResult] = []
                    for (a, stored) in items { out.append(await self.deliver(a, to: endpoint, storedAt: stored, deadline: deadline)) }
                    return out
                }
            }
            while next < min(work.count, max(1, settings.maxConcurrent)) { start() }
            var all: [DeliveryResult] = []
            for await r in group {
                all += r
                if next < work.count { start() }
            }
            return all
        }
        for r in results {
            for row in r.rows { out.append(row: row, to: "alerts_history") }
            if !r.delivered {
                out.publish.append(OutgoingMessage(subject: "dlq.webhooks", text: r.alert.jsonText(),
                                                   headers: [(MessageHeader.dlqReason, "webhook \(r.endpoint): \(r.lastError)")],
                                                   messageID: "webhook:\(r.alert.id):\(r.endpoint)"))
            }
        }
        return out
    }

    /// Alerts among these redeliveries that `alerts_history` already records as delivered to this handler's endpoint:
    /// the run before crashed after storing that row but before acking. (One that crashed between the POST and the row
    /// is sent again: receivers deduplicate on `X-RiskSignal-Alert-Id`.) A failed lookup skips nothing.
    func deliveredBefore(_ alerts: [(JetStreamMessage, RiskAlert)]) async -> Set<String> {
        let again = alerts.filter { ($0.0.metadata?.numDelivered ?? 1) > 1 }.map(\.1.id)
        guard let history, !again.isEmpty, endpoints.count == 1 else { return [] }
        let ids = Set(again).map(ClickHouseClient.literal).joined(separator: ",")
        let sql = "SELECT DISTINCT alert_id FROM alerts_history FINAL WHERE status = 'delivered' AND endpoint = \(ClickHouseClient.literal(endpoints[0].url)) AND alert_id IN (\(ids))"
        do {
            let found = Set(try await history.rows(sql).compactMap { if case .string(let id)? = $0["alert_id"] { id } else { nil } })
            if !found.isEmpty { logger.notice("redelivered alerts already delivered; not sent again", metadata: ["count": .stringConvertible(found.count)]) }
            return found
        } catch {
            logger.warning("could not check alerts_history for redelivered alerts; sending them", metadata: ["error": .string("\(error)")])
            return []
        }
    }

    struct DeliveryResult: Sendable {
        var alert: RiskAlert
        var endpoint: String
        var delivered: Bool
        var lastError: String
        var rows: [String]
    }

    /// The stage instants an alert brings from the bus go into DateTime64 columns: out of range is a bad message.
    static func checkStages(_ a: RiskAlert) throws(ValidationError) {
        for (field, v) in [("received_at", a.receivedAt), ("detected_at", a.detectedAt)] {
            guard let v else { continue }
            do { try ColumnLimits.dateTime64(Timestamp(nanosSinceEpoch: v), field: field) } catch { throw ValidationError(error) }
        }
    }

    func deliver(_ alert: RiskAlert, to endpoint: WebhookEndpoint, storedAt: Int64? = nil, deadline batchDeadline: ContinuousClock.Instant? = nil) async -> DeliveryResult {
        let body = Self.body(alert, format: endpoint.format, users: settings.users)
        var rows: [String] = []
        var backoff = settings.initialBackoff
        var lastError = ""
        let deadline = min(batchDeadline ?? .now + settings.maxDeliveryTime, .now + settings.maxDeliveryTime)
        var attempts = 0
        for attempt in 1...max(1, settings.maxAttempts) {
            if attempt > 1 && ContinuousClock.now >= deadline {
                lastError = "not delivered within \(settings.maxDeliveryTime); last error: \(lastError)"
                break
            }
            if let breaker = breakers[endpoint.url], !(await breaker.waitForPermit(deadline: deadline)) {
                lastError = "the endpoint's circuit breaker stayed open past the delivery deadline (\(settings.maxDeliveryTime)); last error: \(lastError)"
                break
            }
            attempts = attempt
            let started = Timestamp.now()
            let ts = String(started.nanosSinceEpoch / 1_000_000)
            var req = HTTPClientRequest(url: endpoint.url)
            req.method = .POST
            req.headers.add(name: "Content-Type", value: "application/json")
            req.headers.add(name: "User-Agent", value: "risksignal-webhooks")
            req.headers.add(name: "X-RiskSignal-Timestamp", value: ts)
            if !settings.unsigned {
                req.headers.add(name: "X-RiskSignal-Signature", value: WebhookSignature.header(secret: settings.secret, timestamp: ts, body: body))
            }
            req.headers.add(name: "X-RiskSignal-Alert-Id", value: alert.id)
            req.body = .bytes(ByteBuffer(string: body))
            do {
                let resp = try await http.execute(req, timeout: .nanoseconds(settings.timeout.totalNanoseconds))
                _ = try? await resp.body.collect(upTo: 1 << 20)
                let ok = (200..<300).contains(Int(resp.status.code))
                await breakers[endpoint.url]?.record(success: ok)
                if ok {
                    let now = Timestamp.now()
                    let from = alert.intendedTime ?? alert.eventTime
                    let latency = (Double(now.nanosSinceEpoch) - Double(from)) / 1e6  // in Double: `from` comes from a message
                    rows.append(AlertHistoryRow(alert: alert, status: "delivered", attempts: attempt, endpoint: endpoint.url, deliveredAt: now,
                                                latencyMs: latency, detail: "", at: now, storedAt: storedAt,
                                                sentAt: started.nanosSinceEpoch, answeredAt: now.nanosSinceEpoch).json)
                    Counter(label: "risksignal_webhooks_delivered_total").increment()
                    return DeliveryResult(alert: alert, endpoint: endpoint.url, delivered: true, lastError: "", rows: rows)
                }
                lastError = "HTTP \(resp.status.code)"
            } catch {
                lastError = "\(error)"
                await breakers[endpoint.url]?.record(success: false)
            }
            Counter(label: "risksignal_webhook_retries_total").increment()
            rows.append(AlertHistoryRow(alert: alert, status: "attempt_failed_\(attempt)", attempts: attempt, endpoint: endpoint.url,
                                        deliveredAt: nil, latencyMs: 0, detail: lastError, at: Timestamp.now()).json)
            logger.warning("webhook delivery failed", metadata: ["endpoint": .string(endpoint.url), "attempt": .stringConvertible(attempt), "error": .string(lastError)])
            if attempt < settings.maxAttempts {
                let jitter = Double(UInt64.random(in: 500...1000)) / 1000
                // Clamped in Double before converting: a huge configured backoff must not trap the conversion.
                let wait = min(Double(backoff.totalNanoseconds) * jitter, 9.0e18)
                try? await Task.sleep(for: .nanoseconds(Int64(wait)))
                let doubled = backoff.totalNanoseconds.multipliedReportingOverflow(by: 2)
                backoff = doubled.overflow ? settings.maxBackoff : min(.nanoseconds(doubled.partialValue), settings.maxBackoff)
            }
        }
        rows.append(AlertHistoryRow(alert: alert, status: "failed", attempts: attempts, endpoint: endpoint.url, deliveredAt: nil,
                                    latencyMs: 0, detail: lastError, at: Timestamp.now()).json)
        return DeliveryResult(alert: alert, endpoint: endpoint.url, delivered: false, lastError: lastError, rows: rows)
    }

    /// The JSON body: the alert (plus the user's name and tier for user alerts), or a Slack message.
    static func body(_ a: RiskAlert, format: WebhookEndpoint.Format, users: [String: (name: String, tier: String)]) -> String {
        var user = ""
        if a.key.hasPrefix("user:"), let u = users[String(a.key.dropFirst(5))] {
            user = ",\"user\":{\"name\":\(JSONText.quoted(u.name)),\"tier\":\(JSONText.quoted(u.tier))}"
        }
        switch format {
        case .json:
            return "{\"alert\":\(a.jsonText())\(user)}"
        case .slack:
            let who = a.key.hasPrefix("user:") ? users[String(a.key.dropFirst(5))].map { " (\($0.name), \($0.tier))" } ?? "" : ""
            let text = ":rotating_light: *\(a.severity.uppercased())* \(a.rule) on \(a.key)\(who): observed \(a.observed) vs threshold \(a.threshold) over \(a.windowSeconds)s"
            return "{\"text\":\(JSONText.quoted(text))}"
        }
    }
}
